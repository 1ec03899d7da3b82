import { getMetadataStorage } from "class-validator";
import type { Constructor } from "../../decorators/metadata-keys";

/**
 * The properties class-validator's whitelist keeps for `type` (those carrying any of its
 * decorators, inherited ones included), or undefined when the class has none at all.
 */
export function knownProperties(type: Constructor): ReadonlySet<string> | undefined {
  // The same query class-validator makes for its whitelist, so both paths keep the same properties.
  const metas = getMetadataStorage().getTargetValidationMetadatas(type, "", false, false, undefined);
  return metas.length > 0 ? new Set(metas.map((m) => m.propertyName)) : undefined;
}

/** True when `type` carries class-validator decorators, so its requests are checked. */
export function hasValidationRules(type: Constructor): boolean {
  return knownProperties(type) !== undefined;
}
