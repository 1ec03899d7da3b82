import { Enum, MapField, Type, type Field } from "protobufjs";
import { bare, describe, INT32, invalid, nested, parseInteger, parseScalar, type ObjectForm } from "./json-values";
import { isWellKnown, parseWellKnown } from "./well-known-json";

export { bare, describe, invalid, nested, parseScalar, type ObjectForm } from "./json-values";

/** The name a field has in proto3 JSON: its `json_name` option, else protobufjs's lowerCamelCase name. */
export function jsonNameOf(field: Field): string {
  const option: unknown = field.getOption("json_name");
  return typeof option === "string" ? option : field.name;
}

/**
 * Checks parsed proto3 JSON against message type `type` and returns what `fromObject` reads:
 * every value of the kind its field needs (int64 in range, integers integral, enum names known,
 * at most one member per oneof, well-known types from their JSON forms). Throws a TypeError
 * naming the field on the first invalid value. Fields are accepted by their JSON name or their
 * `.proto` name; unknown ones are ignored.
 */
export function parseMessage(type: Type, json: unknown, path: string): ObjectForm {
  return nested(path, () => (isWellKnown(type) ? parseWellKnown(type, json, path, parseMessage) : parseFields(type, json, path)));
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
  if (typeof value === "number") return Number(parseInteger(value, INT32, path));
  return invalid(path, `enum name or number expected, got ${describe(value)}`);
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

