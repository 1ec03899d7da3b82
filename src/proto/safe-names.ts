import { Namespace, Type, type Field } from "protobufjs";

/**
 * Whether a field name is a member every plain object inherits (`constructor`, `toString`,
 * `hasOwnProperty`, `valueOf`, `__proto__`…). protobufjs's converters read such a name from
 * `Object.prototype` when the field is unset, and TypeScript makes an interface declaring one
 * (`constructor?: string`) unassignable from any object literal.
 */
export function isInheritedName(name: string): boolean {
  return name in Object.prototype;
}

/** The name a field gets in the native form and in generated types: a trailing `_` for inherited names. */
export function safeFieldName(name: string): string {
  return isInheritedName(name) ? `${name}_` : name;
}

/** Private caches protobufjs keeps per type; cleared after a rename so they are rebuilt. */
interface TypeCaches {
  _fieldsArray: Field[] | null;
  _fieldsById: Record<number, Field> | null;
}

/**
 * Renames every field whose name is inherited from `Object.prototype` (see {@link safeFieldName}),
 * keeping field order and oneof membership. The proto3 JSON name stays the original one (set as
 * the field's `json_name` option), and the binary form depends on field numbers only.
 */
export function renameInheritedFields(ns: Namespace): void {
  for (const obj of ns.nestedArray) {
    if (obj instanceof Type) renameIn(obj);
    if (obj instanceof Namespace) renameInheritedFields(obj);
  }
}

function renameIn(type: Type): void {
  const fields = Object.values(type.fields);
  if (!fields.some((f) => isInheritedName(f.name))) return;
  const renamed: Record<string, Field> = {};
  for (const field of fields) {
    if (isInheritedName(field.name)) {
      const safe = safeFieldName(field.name);
      if (type.fields[safe] && type.fields[safe] !== field) throw new Error(`${type.fullName.slice(1)}: field "${field.name}" would be renamed "${safe}", which another field already uses`);
      if (field.getOption("json_name") === undefined) field.setOption("json_name", field.name);
      const oneof = field.partOf;
      if (oneof) oneof.oneof = oneof.oneof.map((n) => (n === field.name ? safe : n));
      field.name = safe;
    }
    renamed[field.name] = field;
  }
  type.fields = renamed;
  const caches = type as unknown as TypeCaches;
  caches._fieldsArray = null;
  caches._fieldsById = null;
}
