import { Enum, MapField, Type, type Field } from "protobufjs";
import { isWellKnown, parseWellKnown } from "./well-known-json";

/** An object protobufjs's `fromObject` reads; built without a prototype so no inherited member looks like a field. */
export type ObjectForm = Record<string, unknown>;

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32 = { min: 0, max: 2 ** 32 - 1 };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };
const FLOAT_MAX = 3.4028234663852886e38;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;
/** How deeply messages and JSON values may nest in a request: protobuf's own parsers stop at 100. */
const MAX_DEPTH = 100;
// Parsing is synchronous, so one counter serves every request.
let depth = 0;

/** Runs `parse` one nesting level deeper; refuses input nested beyond {@link MAX_DEPTH}. */
export function nested<T>(path: string, parse: () => T): T {
  if (depth >= MAX_DEPTH) invalid(path, `nested more than ${MAX_DEPTH} levels deep`);
  depth++;
  try {
    return parse();
  } finally {
    depth--;
  }
}

/** The name a field has in proto3 JSON: its `json_name` option, else protobufjs's lowerCamelCase name. */
export function jsonNameOf(field: Field): string {
  const option: unknown = field.getOption("json_name");
  return typeof option === "string" ? option : field.name;
}

/** A new object with no prototype. */
export function bare(): ObjectForm {
  return Object.create(null) as ObjectForm;
}

/** Throws the error every invalid value gets: the field's JSON path and what was wrong. */
export function invalid(path: string, what: string): never {
  throw new TypeError(`${path}: ${what}`);
}

/**
 * Checks parsed proto3 JSON against message type `type` and returns what `fromObject` reads:
 * every value of the kind its field needs (int64 in range, integers integral, enum names known,
 * at most one member per oneof, well-known types from their JSON forms). Throws a TypeError
 * naming the field on the first invalid value. Fields are accepted by their JSON name or their
 * `.proto` name; unknown ones are ignored.
 */
export function parseMessage(type: Type, json: unknown, path: string): ObjectForm {
  return nested(path, () => (isWellKnown(type) ? parseWellKnown(type, json, path) : parseFields(type, json, path)));
}

function parseFields(type: Type, json: unknown, path: string): ObjectForm {
  if (typeof json !== "object" || json === null || Array.isArray(json)) invalid(path, `object expected, got ${describe(json)}`);
  const out = bare();
  const oneofSet = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = fieldFor(type, key);
    if (!field) continue;
    const at = `${path}.${key}`;
    if (value === null && !isNullValue(field)) continue;
    if (field.partOf) {
      const other = oneofSet.get(field.partOf.name);
      if (other !== undefined && other !== key) invalid(at, `"${other}" of the same oneof "${field.partOf.name}" is set too; give at most one`);
      oneofSet.set(field.partOf.name, key);
    }
    out[field.name] = parseField(field, value, at);
  }
  return out;
}

function parseField(field: Field, value: unknown, path: string): unknown {
  field.resolve();
  if (field instanceof MapField) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) invalid(path, `object expected for a map, got ${describe(value)}`);
    const out = bare();
    for (const [k, v] of Object.entries(value)) {
      const key = parseMapKey(field.keyType, k, `${path}["${k}"]`);
      out[key] = parseSingle(field, v, `${path}["${k}"]`);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) invalid(path, `array expected, got ${describe(value)}`);
    return value.map((v, i) => parseSingle(field, v, `${path}[${i}]`));
  }
  return parseSingle(field, value, path);
}

function parseSingle(field: Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof Type) return parseMessage(resolved, value, path);
  if (resolved instanceof Enum) return parseEnum(resolved, value, path);
  return parseScalar(field.type, value, path);
}

function parseEnum(e: Enum, value: unknown, path: string): number {
  if (value === null && e.fullName === ".google.protobuf.NullValue") return 0;
  if (typeof value === "string") {
    const n = e.values[value];
    if (n === undefined) invalid(path, `unknown ${e.name} value "${value}" (known: ${Object.keys(e.values).join(", ")})`);
    return n;
  }
  if (typeof value === "number") return Number(parseInt(value, INT32, path));
  return invalid(path, `enum name or number expected, got ${describe(value)}`);
}

/** One scalar of `.proto` type `type` from its JSON form. */
export function parseScalar(type: string, value: unknown, path: string): unknown {
  switch (type) {
    case "int32":
    case "sint32":
    case "sfixed32":
      return Number(parseInt(value, INT32, path));
    case "uint32":
    case "fixed32":
      return Number(parseInt(value, UINT32, path));
    case "int64":
    case "sint64":
    case "sfixed64":
      return parseInt(value, INT64, path).toString();
    case "uint64":
    case "fixed64":
      return parseInt(value, UINT64, path).toString();
    case "double":
    case "float":
      return parseFloat(value, type === "float", path);
    case "bool":
      if (typeof value !== "boolean") invalid(path, `true or false expected, got ${describe(value)}`);
      return value;
    case "string":
      if (typeof value !== "string") invalid(path, `string expected, got ${describe(value)}`);
      return value;
    case "bytes":
      if (typeof value !== "string" || !BASE64.test(value)) invalid(path, `base64 string expected, got ${describe(value)}`);
      return Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    default:
      return invalid(path, `unsupported type "${type}"`);
  }
}

/** An integer from a JSON number or string (decimal, or exponent notation with an integral value), range-checked. */
function parseInt(value: unknown, range: { min: number | bigint; max: number | bigint }, path: string): bigint {
  let n: bigint | undefined;
  if (typeof value === "number") {
    if (Number.isInteger(value)) n = BigInt(value);
  } else if (typeof value === "string") {
    if (/^-?\d+$/.test(value)) n = BigInt(value);
    else if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value.trim()) && value.trim() === value) {
      const f = Number(value);
      if (Number.isSafeInteger(f)) n = BigInt(f);
    }
  }
  if (n === undefined) invalid(path, `integer expected, got ${describe(value)}`);
  if (n < BigInt(range.min) || n > BigInt(range.max)) invalid(path, `${n} is out of range [${range.min}, ${range.max}]`);
  return n;
}

function parseFloat(value: unknown, single: boolean, path: string): number {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (value === "NaN" || value === "Infinity" || value === "-Infinity") n = Number(value);
  else if (typeof value === "string" && value.trim() === value && value !== "" && !Number.isNaN(Number(value))) n = Number(value);
  if (n === undefined) invalid(path, `number expected, got ${describe(value)}`);
  if (single && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX) invalid(path, `${n} is out of range for a float`);
  return n;
}

function parseMapKey(keyType: string, key: string, path: string): string {
  if (keyType === "string") return key;
  if (keyType === "bool") {
    if (key !== "true" && key !== "false") invalid(path, `map key true or false expected, got "${key}"`);
    return key;
  }
  if (!/^-?\d+$/.test(key)) invalid(path, `integer map key expected, got "${key}"`);
  return String(parseScalar(keyType, key, path));
}

/** Per message type: every name a field is accepted under in JSON → the field. Filled lazily. */
const namesOf = new WeakMap<Type, ReadonlyMap<string, Field>>();

function fieldFor(type: Type, key: string): Field | undefined {
  let names = namesOf.get(type);
  if (!names) {
    const m = new Map<string, Field>();
    // Later entries win: the JSON name over the .proto name over protobufjs's name.
    for (const field of type.fieldsArray) for (const name of [field.name, originalName(field.name), jsonNameOf(field)]) m.set(name, field);
    names = m;
    namesOf.set(type, names);
  }
  return names.get(key);
}

/** protobufjs turns `user_id` into `userId`; the reverse gives back the usual original name. */
function originalName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isNullValue(field: Field): boolean {
  field.resolve();
  const t = field.resolvedType;
  return !field.repeated && t !== null && (t.fullName === ".google.protobuf.Value" || t.fullName === ".google.protobuf.NullValue");
}

/** A short description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}
