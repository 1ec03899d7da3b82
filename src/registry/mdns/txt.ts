import { deflateSync, inflateSync } from "node:zlib";
import { ErrorIds, MicroError } from "../../errors";
import type { Endpoint, Value } from "../registry";

/**
 * What one node's TXT record carries: go-micro's `mdnsTxt` (JSON keys `Metadata`, `Service`,
 * `Version`, `Endpoints`; `Metadata` is the node's) plus tsmicro's optional `ServiceMetadata`,
 * which go-micro ignores as an unknown field.
 */
export interface MdnsTxt {
  service: string;
  version: string;
  endpoints: Endpoint[];
  /** The node's metadata (go-micro puts node metadata here, not the service's). */
  metadata: Record<string, string>;
  /** The service-level metadata; a tsmicro extension, absent in go-micro's records. */
  serviceMetadata?: Record<string, string>;
}

/** Longest string one DNS TXT character-string can hold, in bytes. */
export const TXT_CHUNK_LENGTH = 255;

/** Largest inflated TXT JSON accepted, in bytes; guards against zlib bombs. */
const MAX_JSON_BYTES = 1 << 20;

/**
 * The JSON go-micro's `json.Marshal` writes for `txt`: struct fields in go-micro v4+ order, map
 * keys sorted, nil as `null`, and `<`, `>`, `&`, U+2028, U+2029 escaped.
 */
export function marshalTxtJson(txt: MdnsTxt): string {
  const parts = [
    `"Metadata":${goMap(txt.metadata)}`,
    `"Service":${goString(txt.service)}`,
    `"Version":${goString(txt.version)}`,
    `"Endpoints":${txt.endpoints.length ? `[${txt.endpoints.map(goEndpoint).join(",")}]` : "null"}`,
  ];
  if (txt.serviceMetadata) parts.push(`"ServiceMetadata":${goMap(txt.serviceMetadata)}`);
  return `{${parts.join(",")}}`;
}

/** Encodes `txt` as go-micro does: hex(zlib(json)) split into strings of at most 255 chars. */
export function encodeTxt(txt: MdnsTxt): string[] {
  const hex = deflateSync(Buffer.from(marshalTxtJson(txt), "utf8")).toString("hex");
  const chunks: string[] = [];
  for (let i = 0; i < hex.length; i += TXT_CHUNK_LENGTH) chunks.push(hex.slice(i, i + TXT_CHUNK_LENGTH));
  return chunks;
}

/** Decodes TXT strings written by {@link encodeTxt} or go-micro; throws a 400 MicroError when malformed. */
export function decodeTxt(chunks: ReadonlyArray<string | Uint8Array>): MdnsTxt {
  const hex = chunks.map((c) => (typeof c === "string" ? c : Buffer.from(c).toString("latin1"))).join("");
  if (!hex || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) throw malformed("TXT is not hex");
  let json: string;
  try {
    json = inflateSync(Buffer.from(hex, "hex"), { maxOutputLength: MAX_JSON_BYTES }).toString("utf8");
  } catch (cause) {
    throw malformed("TXT is not zlib data", cause);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw malformed("TXT is not JSON", cause);
  }
  const obj = asObject(raw, "TXT");
  const txt: MdnsTxt = {
    service: asString(field(obj, "Service"), "Service"),
    version: asString(field(obj, "Version"), "Version"),
    endpoints: asArray(field(obj, "Endpoints"), "Endpoints").map(readEndpoint),
    metadata: asStringMap(field(obj, "Metadata"), "Metadata"),
  };
  const serviceMetadata = field(obj, "ServiceMetadata");
  if (serviceMetadata !== undefined && serviceMetadata !== null) txt.serviceMetadata = asStringMap(serviceMetadata, "ServiceMetadata");
  return txt;
}

function goEndpoint(e: Endpoint): string {
  return `{"request":${goValue(e.request)},"response":${goValue(e.response)},"metadata":${goMap(e.metadata)},"name":${goString(e.name)}}`;
}

function goValue(v: Value | undefined): string {
  if (!v) return "null";
  const values = v.values?.length ? `[${v.values.map(goValue).join(",")}]` : "null";
  return `{"name":${goString(v.name)},"type":${goString(v.type)},"values":${values}}`;
}

function goMap(m: Record<string, string> | undefined): string {
  if (!m) return "null";
  const keys = Object.keys(m).sort();
  return `{${keys.map((k) => `${goString(k)}:${goString(m[k] ?? "")}`).join(",")}}`;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function readEndpoint(raw: unknown): Endpoint {
  const obj = asObject(raw, "Endpoint");
  const endpoint: Endpoint = { name: asString(field(obj, "name"), "Endpoint.name"), metadata: asStringMap(field(obj, "metadata"), "Endpoint.metadata") };
  const request = readValue(field(obj, "request"));
  const response = readValue(field(obj, "response"));
  if (request) endpoint.request = request;
  if (response) endpoint.response = response;
  return endpoint;
}

function readValue(raw: unknown, depth = 0): Value | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (depth > 64) throw malformed("Value nests too deeply");
  const obj = asObject(raw, "Value");
  const value: Value = { name: asString(field(obj, "name"), "Value.name"), type: asString(field(obj, "type"), "Value.type") };
  const values = asArray(field(obj, "values"), "Value.values").map((v) => readValue(v, depth + 1));
  if (values.length) value.values = values.filter((v): v is Value => v !== undefined);
  return value;
}

/** Looks a key up as Go's encoding/json does: exact match first, then case-insensitive. */
function field(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  const found = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : obj[found];
}

function asObject(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw malformed(`${what} is not an object`);
  return raw as Record<string, unknown>;
}

function asString(raw: unknown, what: string): string {
  if (raw === undefined || raw === null) return "";
  if (typeof raw !== "string") throw malformed(`${what} is not a string`);
  return raw;
}

function asArray(raw: unknown, what: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw malformed(`${what} is not an array`);
  return raw;
}

function asStringMap(raw: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw === null) return out;
  for (const [k, v] of Object.entries(asObject(raw, what))) out[k] = asString(v, `${what}.${k}`);
  return out;
}

function malformed(detail: string, cause?: unknown): MicroError {
  return new MicroError(ErrorIds.malformed, 400, `mdns registry: ${detail}`, { cause });
}
