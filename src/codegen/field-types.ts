import { Enum, MapField, Type, type Field } from "protobufjs";
import { tsNameOf } from "./names";

// The native form (what handlers and clients see): 64-bit integers as decimal strings, bytes as Uint8Array.
const SCALARS: Readonly<Record<string, string>> = {
  double: "number",
  float: "number",
  int32: "number",
  uint32: "number",
  sint32: "number",
  fixed32: "number",
  sfixed32: "number",
  int64: "string",
  uint64: "string",
  sint64: "string",
  fixed64: "string",
  sfixed64: "string",
  bool: "boolean",
  string: "string",
  bytes: "Uint8Array",
};

/** The TypeScript type of one field's value in the native form. */
export function fieldType(field: Field, filePackage: string): string {
  field.resolve();
  const value = valueType(field, filePackage);
  if (field instanceof MapField) return `Record<string, ${value}>`;
  if (field.repeated) return `${value}[]`;
  return field.resolvedType instanceof Type ? `${value} | null` : value;
}

function valueType(field: Field, filePackage: string): string {
  const resolved = field.resolvedType;
  if (resolved instanceof Type || resolved instanceof Enum) return tsNameOf(resolved, filePackage);
  const scalar = SCALARS[field.type];
  if (!scalar) throw new Error(`${field.fullName}: unsupported field type "${field.type}"`);
  return scalar;
}
