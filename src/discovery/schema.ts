import { getMetadataStorage } from "class-validator";
import { getPropertyType, type Constructor } from "../decorators/metadata-keys";
import type { Value } from "../registry/registry";

const PRIMITIVES = new Map<unknown, string>([
  [String, "string"],
  [Number, "number"],
  [Boolean, "bool"],
  [Date, "string"],
  [Array, "array"],
  [Object, "object"],
]);

/**
 * Describes a class as a go-micro `Value` tree: one child per property that carries a
 * class-validator decorator, nested classes expanded once.
 */
export function describeType(type: Constructor, name = type.name, seen: ReadonlySet<Constructor> = new Set()): Value {
  if (seen.has(type)) return { name, type: type.name }; // recursive type: stop here
  const inner = new Set(seen).add(type);
  const values = propertiesOf(type).map((prop): Value => {
    const t = getPropertyType(type.prototype as object, prop);
    const primitive = PRIMITIVES.get(t);
    if (primitive || typeof t !== "function") return { name: prop, type: primitive ?? "unknown" };
    return describeType(t as Constructor, prop, inner);
  });
  return values.length > 0 ? { name, type: type.name, values } : { name, type: type.name };
}

/** Property names known from class-validator metadata, in declaration order. */
function propertiesOf(type: Constructor): string[] {
  const storage = getMetadataStorage();
  const names = storage.getTargetValidationMetadatas(type, "", true, false).map((m) => m.propertyName);
  return [...new Set(names)];
}
