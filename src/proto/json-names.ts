import { MapField, Type } from "protobufjs";

/** Per message type: original (snake_case) field name → the lowerCamelCase name protobufjs uses. */
const aliasesOf = new WeakMap<Type, ReadonlyMap<string, string>>();
/** Per message type: whether any type reachable from it has an alias. */
const reachesAliases = new WeakMap<Type, boolean>();

/**
 * proto3 JSON parsers accept a field's original name (`user_id`) as well as its JSON name
 * (`userId`); protobufjs's `fromObject` knows only the latter and would drop the former
 * silently. Returns `value` with original names renamed, through nested, repeated and map
 * fields; objects that need a change are copied, never modified.
 */
export function acceptOriginalNames(type: Type, value: unknown): unknown {
  if (!hasAliases(type) || typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const source = value as Record<string, unknown>;
  const aliases = aliasMap(type);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(source)) {
    const name = aliases.get(key);
    out[name !== undefined && !(name in source) ? name : key] = v;
  }
  for (const field of type.fieldsArray) {
    const sub = field.resolvedType;
    const v = out[field.name];
    if (!(sub instanceof Type) || v === null || typeof v !== "object") continue;
    if (field instanceof MapField) out[field.name] = Object.fromEntries(Object.entries(v).map(([k, e]) => [k, acceptOriginalNames(sub, e)]));
    else if (Array.isArray(v)) out[field.name] = v.map((item: unknown) => acceptOriginalNames(sub, item));
    else out[field.name] = acceptOriginalNames(sub, v);
  }
  return out;
}

function aliasMap(type: Type): ReadonlyMap<string, string> {
  let map = aliasesOf.get(type);
  if (!map) {
    const m = new Map<string, string>();
    for (const field of type.fieldsArray) {
      // protobufjs turns `user_id` into `userId`; the reverse gives back the usual original name.
      const original = field.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (original !== field.name) m.set(original, field.name);
    }
    map = m;
    aliasesOf.set(type, map);
  }
  return map;
}

function hasAliases(type: Type): boolean {
  const known = reachesAliases.get(type);
  if (known !== undefined) return known;
  const seen = new Set<Type>([type]);
  const queue = [type];
  let found = false;
  while (queue.length > 0 && !found) {
    const t = queue.pop()!;
    if (aliasMap(t).size > 0) found = true;
    for (const f of t.fieldsArray) {
      f.resolve();
      const sub = f.resolvedType;
      if (sub instanceof Type && !seen.has(sub)) {
        seen.add(sub);
        queue.push(sub);
      }
    }
  }
  reachesAliases.set(type, found);
  return found;
}
