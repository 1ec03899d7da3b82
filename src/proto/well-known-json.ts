import type { Type } from "protobufjs";
import { bare, describe, invalid, nested, parseScalar, type ObjectForm } from "./json-values";

/** Parses a message from its JSON form (json-parse's `parseMessage`, passed in: it calls back here for well-known types). */
export type MessageParser = (type: Type, json: unknown, path: string) => ObjectForm;

const WRAPPERS: Readonly<Record<string, string>> = {
  DoubleValue: "double", FloatValue: "float", Int64Value: "int64", UInt64Value: "uint64", Int32Value: "int32",
  UInt32Value: "uint32", BoolValue: "bool", StringValue: "string", BytesValue: "bytes",
};
const SPECIAL = new Set(["Timestamp", "Duration", "Struct", "Value", "ListValue", "FieldMask", "Any", ...Object.keys(WRAPPERS)]);
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z
const MAX_DURATION = 315576000000;

/** The short name of a google.protobuf type with its own JSON form, undefined for any other type. */
function wellKnown(type: Type): string | undefined {
  const m = /^\.google\.protobuf\.(\w+)$/.exec(type.fullName);
  return m && SPECIAL.has(m[1]!) ? m[1] : undefined;
}

/** Whether `type` has a JSON form of its own in proto3 (Timestamp, Duration, wrappers, Struct, Value, ListValue, FieldMask, Any). */
export function isWellKnown(type: Type): boolean {
  return wellKnown(type) !== undefined;
}

/** What `fromObject` reads for a well-known type given in its JSON form. */
export function parseWellKnown(type: Type, json: unknown, path: string, parse: MessageParser): ObjectForm {
  const name = wellKnown(type)!;
  const out = bare();
  const scalar = WRAPPERS[name];
  if (scalar) {
    out.value = parseScalar(scalar, json, path);
    return out;
  }
  switch (name) {
    case "Timestamp":
      return Object.assign(out, parseTimestamp(json, path));
    case "Duration":
      return Object.assign(out, parseDuration(json, path));
    case "FieldMask":
      if (typeof json !== "string") invalid(path, `field mask string expected, got ${describe(json)}`);
      out.paths = json === "" ? [] : json.split(",").map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
      return out;
    case "Struct":
      if (typeof json !== "object" || json === null || Array.isArray(json)) invalid(path, `object expected, got ${describe(json)}`);
      out.fields = bare();
      for (const [k, v] of Object.entries(json)) (out.fields as ObjectForm)[k] = parseValue(type, v, `${path}.${k}`, parse);
      return out;
    case "ListValue":
      if (!Array.isArray(json)) invalid(path, `array expected, got ${describe(json)}`);
      out.values = json.map((v, i) => parseValue(type, v, `${path}[${i}]`, parse));
      return out;
    case "Value":
      return parseValue(type, json, path, parse);
    default:
      return parseAny(type, json, path, parse);
  }
}

function parseValue(near: Type, json: unknown, path: string, parse: MessageParser): ObjectForm {
  return nested(path, () => valueOf(near, json, path, parse));
}

function valueOf(near: Type, json: unknown, path: string, parse: MessageParser): ObjectForm {
  const out = bare();
  if (json === null) out.nullValue = 0;
  else if (typeof json === "number") out.numberValue = json;
  else if (typeof json === "string") out.stringValue = json;
  else if (typeof json === "boolean") out.boolValue = json;
  else if (Array.isArray(json)) out.listValue = parseWellKnown(near.lookupType(".google.protobuf.ListValue"), json, path, parse);
  else if (typeof json === "object") out.structValue = parseWellKnown(near.lookupType(".google.protobuf.Struct"), json, path, parse);
  else invalid(path, `JSON value expected, got ${describe(json)}`);
  return out;
}

function parseTimestamp(json: unknown, path: string): ObjectForm {
  const m = typeof json === "string" ? RFC3339.exec(json) : null;
  if (!m) return invalid(path, `RFC 3339 timestamp expected ("2024-01-01T00:00:00Z"), got ${describe(json)}`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) || Number(s) > 59) invalid(path, `${describe(json)} is not a valid date and time`);
  let seconds = Math.floor(ms / 1000) + (Number(y) < 100 ? yearFix(Number(y)) : 0);
  if (zone !== "Z" && zone !== "z") {
    const sign = zone!.startsWith("-") ? -1 : 1;
    seconds -= sign * (Number(zone!.slice(1, 3)) * 3600 + Number(zone!.slice(4, 6)) * 60);
  }
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) invalid(path, `${describe(json)} is outside 0001-01-01 … 9999-12-31`);
  const out = bare();
  out.seconds = String(seconds);
  out.nanos = Number((frac ?? "").padEnd(9, "0"));
  return out;
}

/** Date.UTC maps years 0…99 to 1900…1999; this is the correction in seconds. */
function yearFix(year: number): number {
  const wrong = Date.UTC(year + 1900, 0, 1);
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  d.setUTCHours(0, 0, 0, 0);
  return (d.getTime() - wrong) / 1000;
}

function parseDuration(json: unknown, path: string): ObjectForm {
  const m = typeof json === "string" ? /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(json) : null;
  if (!m) return invalid(path, `duration expected ("1.5s"), got ${describe(json)}`);
  const seconds = BigInt(m[2]!);
  if (seconds > BigInt(MAX_DURATION)) invalid(path, `${describe(json)} is out of range (±${MAX_DURATION}s)`);
  const sign = m[1] ? -1 : 1;
  const out = bare();
  out.seconds = String(BigInt(sign) * seconds);
  out.nanos = sign * Number((m[3] ?? "").padEnd(9, "0"));
  return out;
}

function parseAny(type: Type, json: unknown, path: string, parseMessage: MessageParser): ObjectForm {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return invalid(path, `object expected, got ${describe(json)}`);
  const fields = json as Record<string, unknown>;
  const url = fields["@type"];
  if (typeof url !== "string" || !url.includes("/")) return invalid(path, `"@type" ("type.googleapis.com/package.Message") expected`);
  const inner = lookupAnyType(type, url, path);
  let value: unknown = fields;
  if (isWellKnown(inner)) value = fields.value;
  else value = Object.fromEntries(Object.entries(fields).filter(([k]) => k !== "@type"));
  const message = inner.fromObject(parseMessage(inner, value, path));
  const out = bare();
  out[anyUrlField(type)] = url;
  out.value = inner.encode(message).finish();
  return out;
}

/** The message type an Any's `@type` URL names; throws when the loaded files do not have it. */
export function lookupAnyType(near: Type, url: string, path: string): Type {
  const name = url.slice(url.lastIndexOf("/") + 1);
  try {
    return near.root.lookupType(name);
  } catch {
    return invalid(path, `"@type" names "${name}", which is not a message type of the loaded .proto files`);
  }
}

/** protobufjs's bundled any.proto keeps the `.proto` name `type_url`; a descriptor built elsewhere may say `typeUrl`. */
export function anyUrlField(type: Type): string {
  return type.fields.type_url ? "type_url" : "typeUrl";
}
