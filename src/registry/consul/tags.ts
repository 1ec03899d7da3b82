import { deflateSync, inflateSync } from "node:zlib";
import type { Endpoint, Value } from "../registry";

/**
 * go-micro's consul registry keeps what Consul has no field for in the instance's tags, each
 * value hex(zlib(json)) behind a one-letter prefix: `e-` one endpoint, `t-` one node metadata
 * pair (`{"k":"v"}`), `v-` the version (the raw string, not JSON). Older go-micro wrote the
 * plain text after `e=`/`t=`/`v=`; both forms are read. tsmicro adds `s-` for the service-level
 * metadata, a prefix go-micro's decoders skip.
 */
export const TAG_PREFIX = Object.freeze({ endpoint: "e", nodeMetadata: "t", version: "v", serviceMetadata: "s" });

/** Largest inflated tag accepted, in bytes; a tag is read from the network. */
const MAX_TAG_BYTES = 1 << 20;

/** hex(zlib(text)), go-micro's `encode`. */
export function encodeTagValue(text: string): string {
  return deflateSync(Buffer.from(text, "utf8")).toString("hex");
}

/** Inverse of {@link encodeTagValue}; undefined when malformed. */
export function decodeTagValue(hex: string): string | undefined {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return undefined;
  try {
    return inflateSync(Buffer.from(hex, "hex"), { maxOutputLength: MAX_TAG_BYTES }).toString("utf8");
  } catch {
    return undefined;
  }
}

/** What the tags of one Consul service instance carry. */
export interface DecodedTags {
  version: string;
  endpoints: Endpoint[];
  nodeMetadata: Record<string, string>;
  serviceMetadata?: Record<string, string>;
}

/** The tags go-micro writes for one node (plus tsmicro's `s-` tag when the service has metadata). */
export function encodeTags(version: string, endpoints: readonly Endpoint[], nodeMetadata: Record<string, string>, serviceMetadata?: Record<string, string>): string[] {
  const tags = Object.entries(nodeMetadata).map(([k, v]) => `t-${encodeTagValue(JSON.stringify({ [k]: v }))}`);
  for (const e of endpoints) tags.push(`e-${encodeTagValue(JSON.stringify(goEndpoint(e)))}`);
  tags.push(`v-${encodeTagValue(version)}`);
  if (serviceMetadata && Object.keys(serviceMetadata).length > 0) tags.push(`s-${encodeTagValue(JSON.stringify(serviceMetadata))}`);
  return tags;
}

/**
 * Reads the tags of one instance. As go-micro does, endpoints and metadata come from the first
 * encoding (`-` or `=`) seen, so an instance carrying both forms is not read twice. Tags that do
 * not decode are skipped: they may belong to someone else.
 */
export function decodeTags(tags: readonly string[]): DecodedTags {
  const out: DecodedTags = { version: "", endpoints: [], nodeMetadata: {} };
  const form: Record<string, string> = {};
  let versionSeen = false;
  for (const tag of tags) {
    if (typeof tag !== "string" || tag.length < 2 || (tag[1] !== "-" && tag[1] !== "=")) continue;
    const kind = tag[0]!;
    const text = tag[1] === "=" ? tag.slice(2) : decodeTagValue(tag.slice(2));
    if (text === undefined) continue;
    if (kind === TAG_PREFIX.version) {
      if (!versionSeen) [out.version, versionSeen] = [text, true];
      continue;
    }
    if (kind !== TAG_PREFIX.endpoint && kind !== TAG_PREFIX.nodeMetadata && kind !== TAG_PREFIX.serviceMetadata) continue;
    if (form[kind] !== undefined && form[kind] !== tag[1]) continue;
    const parsed = parseJson(text);
    if (parsed === undefined) continue;
    form[kind] = tag[1];
    if (kind === TAG_PREFIX.endpoint) {
      const e = toEndpoint(parsed);
      if (e) out.endpoints.push(e);
    } else if (kind === TAG_PREFIX.nodeMetadata) Object.assign(out.nodeMetadata, stringMap(parsed));
    else out.serviceMetadata = { ...out.serviceMetadata, ...stringMap(parsed) };
  }
  return out;
}

/** go-micro's `registry.Endpoint` JSON: every field present, absent values as null. */
function goEndpoint(e: Endpoint): Record<string, unknown> {
  return { name: e.name, request: e.request ?? null, response: e.response ?? null, metadata: e.metadata ?? {} };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === "string")) as Record<string, string>;
}

function toEndpoint(v: unknown): Endpoint | undefined {
  if (!v || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== "string") return undefined;
  const e: Endpoint = { name: o.name, metadata: stringMap(o.metadata) };
  const request = toValue(o.request, 0);
  const response = toValue(o.response, 0);
  if (request) e.request = request;
  if (response) e.response = response;
  return e;
}

/** A go-micro `registry.Value`, depth-bounded (it arrives from the network). */
function toValue(v: unknown, depth: number): Value | undefined {
  if (!v || typeof v !== "object" || depth > 32) return undefined;
  const o = v as Record<string, unknown>;
  const out: Value = { name: typeof o.name === "string" ? o.name : "", type: typeof o.type === "string" ? o.type : "" };
  if (Array.isArray(o.values)) {
    const values = o.values.map((x) => toValue(x, depth + 1)).filter((x): x is Value => !!x);
    if (values.length > 0) out.values = values;
  }
  return out;
}
