import { MapField, Type, type IConversionOptions } from "protobufjs";
import { jsonNameOf } from "./json-parse";
import { anyUrlField, isWellKnown, lookupAnyType } from "./well-known-json";

/** proto3's JSON mapping before well-known types and JSON names: int64 as strings, enums by name, bytes as base64, defaults omitted. */
export const JSON_CONVERSION: IConversionOptions = { longs: String, enums: String, bytes: String, json: true };

type Plain = Record<string, unknown>;

/**
 * Turns protobufjs's `toObject(message, JSON_CONVERSION)` output into proto3 JSON: fields under
 * their JSON names, well-known types in their own forms (Timestamp as an RFC 3339 string,
 * Duration as "1.5s", wrappers as plain values, Struct/Value/ListValue as JSON, FieldMask as a
 * string, Any with "@type").
 */
export function formatMessage(type: Type, obj: Plain): unknown {
  if (isWellKnown(type)) return formatWellKnown(type, obj);
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (v === undefined || v === null) continue;
    field.resolve();
    const sub = field.resolvedType;
    let value: unknown = v;
    if (sub instanceof Type) {
      if (field instanceof MapField) value = Object.fromEntries(Object.entries(v as Plain).map(([k, e]) => [k, formatMessage(sub, e as Plain)]));
      else if (field.repeated) value = (v as Plain[]).map((e) => formatMessage(sub, e));
      else value = formatMessage(sub, v as Plain);
    } else if (sub && sub.fullName === ".google.protobuf.NullValue") {
      value = field.repeated ? (v as unknown[]).map(() => null) : null;
    }
    out[jsonNameOf(field)] = value;
  }
  return out;
}

function formatWellKnown(type: Type, obj: Plain): unknown {
  const name = type.name;
  switch (name) {
    case "Timestamp":
      return formatTimestamp(Number(obj.seconds ?? 0), Number(obj.nanos ?? 0));
    case "Duration":
      return formatDuration(BigInt(String(obj.seconds ?? 0)), Number(obj.nanos ?? 0));
    case "FieldMask":
      return ((obj.paths as string[] | undefined) ?? []).map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join(",");
    case "Struct":
      return Object.fromEntries(Object.entries((obj.fields as Plain | undefined) ?? {}).map(([k, v]) => [k, formatValue(v as Plain)]));
    case "ListValue":
      return ((obj.values as Plain[] | undefined) ?? []).map(formatValue);
    case "Value":
      return formatValue(obj);
    case "Any":
      return formatAny(type, obj);
    default:
      return obj.value ?? wrapperDefault(name);
  }
}

function wrapperDefault(name: string): unknown {
  if (name === "BoolValue") return false;
  if (name === "StringValue" || name === "BytesValue") return "";
  if (name === "Int64Value" || name === "UInt64Value") return "0";
  return 0;
}

function formatValue(v: Plain): unknown {
  if (v.structValue !== undefined) return formatWellKnownByName("Struct", v.structValue as Plain);
  if (v.listValue !== undefined) return formatWellKnownByName("ListValue", v.listValue as Plain);
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return null;
}

function formatWellKnownByName(name: "Struct" | "ListValue", obj: Plain): unknown {
  if (name === "Struct") return Object.fromEntries(Object.entries((obj.fields as Plain | undefined) ?? {}).map(([k, v]) => [k, formatValue(v as Plain)]));
  return ((obj.values as Plain[] | undefined) ?? []).map(formatValue);
}

function formatTimestamp(seconds: number, nanos: number): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) throw new RangeError(`Timestamp seconds ${seconds} out of range`);
  return `${d.toISOString().slice(0, 19)}${fraction(nanos)}Z`;
}

function formatDuration(seconds: bigint, nanos: number): string {
  const negative = seconds < 0n || nanos < 0;
  const abs = seconds < 0n ? -seconds : seconds;
  return `${negative ? "-" : ""}${abs}${fraction(Math.abs(nanos))}s`;
}

/** Nanoseconds as ".5", ".000000001"…: 0, 3, 6 or 9 digits, as proto3 JSON writes them. */
function fraction(nanos: number): string {
  if (nanos === 0) return "";
  const nine = String(nanos).padStart(9, "0");
  const digits = nine.endsWith("000000") ? nine.slice(0, 3) : nine.endsWith("000") ? nine.slice(0, 6) : nine;
  return `.${digits}`;
}

function formatAny(type: Type, obj: Plain): unknown {
  // protobufjs's own Any wrapper already unpacked it in JSON mode: {"@type", ...the inner message's fields}.
  const unpacked = typeof obj["@type"] === "string";
  const url = (unpacked ? obj["@type"] : obj[anyUrlField(type)]) as string | undefined;
  if (!url) return {};
  const inner = lookupAnyType(type, url, "Any");
  const fields = unpacked ? Object.fromEntries(Object.entries(obj).filter(([k]) => k !== "@type")) : inner.toObject(inner.decode(Buffer.from(String(obj.value ?? ""), "base64")), JSON_CONVERSION);
  const json = formatMessage(inner, fields);
  return isWellKnown(inner) ? { "@type": url, value: json } : { "@type": url, ...(json as Plain) };
}
