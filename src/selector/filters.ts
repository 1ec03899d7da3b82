import type { ServiceRecord } from "../registry/registry";
import type { Filter } from "./selector";

/** Keeps only the given version(s). */
export const filterVersion =
  (...versions: string[]): Filter =>
  (services) =>
    services.filter((s) => versions.includes(s.version));

/** Keeps nodes whose metadata[key] === value; versions left empty are dropped. */
export const filterMetadata =
  (key: string, value: string): Filter =>
  (services) =>
    services
      .map((s): ServiceRecord => ({ ...s, nodes: s.nodes.filter((n) => n.metadata[key] === value) }))
      .filter((s) => s.nodes.length > 0);

/** Keeps versions that declare `endpoint`. */
export const filterEndpoint =
  (endpoint: string): Filter =>
  (services) =>
    services.filter((s) => s.endpoints.some((e) => e.name === endpoint));

/** Keeps only the node with this id (to call one node through its advertised transport). */
export const filterNode =
  (id: string): Filter =>
  (services) =>
    services.map((s): ServiceRecord => ({ ...s, nodes: s.nodes.filter((n) => n.id === id) })).filter((s) => s.nodes.length > 0);
