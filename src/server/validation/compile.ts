import { getMetadataStorage, ValidationTypes, type ValidationArguments } from "class-validator";
import type { Constructor } from "../../decorators/metadata-keys";

/** A precompiled check: true when every constraint of the class holds. */
export type FastCheck = (instance: Record<string, unknown>) => boolean;

interface ConstraintLike {
  validate(value: unknown, args: ValidationArguments): unknown;
}

interface PropertyCheck {
  property: string;
  /** Conditions (`@IsOptional`, `@ValidateIf`): when one is false the property is skipped. */
  conditions: Array<(object: Record<string, unknown>, value: unknown) => boolean>;
  tests: Array<(value: unknown, object: Record<string, unknown>) => unknown>;
}

/**
 * Compiles a class's class-validator metadata once into plain synchronous checks that reuse
 * class-validator's own constraint functions. Returns undefined when the class uses anything
 * the fast path does not model (nested, async, `each`, groups); callers then use
 * class-validator as it is. Unknown properties are not its concern: the instance it checks
 * was built with the whitelisted properties only. A failing fast check is re-run through
 * class-validator, so error messages are always class-validator's.
 */
export function compileCheck(type: Constructor): FastCheck | undefined {
  const storage = getMetadataStorage();
  const metas = storage.getTargetValidationMetadatas(type, "", true, false);
  const byProperty = new Map<string, PropertyCheck>();
  for (const m of metas) {
    if (m.each || m.always || (m.groups && m.groups.length > 0) || m.validateIf) return undefined;
    let p = byProperty.get(m.propertyName);
    if (!p) byProperty.set(m.propertyName, (p = { property: m.propertyName, conditions: [], tests: [] }));
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      p.conditions.push(m.constraints[0] as PropertyCheck["conditions"][number]);
    } else if (m.type === ValidationTypes.WHITELIST) {
      // `@Allow()`: the property is kept (see knownProperties) and not checked.
    } else if (m.type === ValidationTypes.IS_DEFINED) {
      p.tests.push((v) => v !== undefined && v !== null);
    } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
      const constraintMetas = storage.getTargetValidatorConstraints(m.constraintCls);
      if (constraintMetas.length !== 1 || constraintMetas[0]!.async) return undefined;
      const constraint = constraintMetas[0]!.instance as ConstraintLike;
      const { constraints, propertyName, target } = m;
      const targetName = typeof target === "function" ? target.name : target;
      p.tests.push((value, object) =>
        constraint.validate(value, { value, constraints, targetName, object, property: propertyName }),
      );
    } else return undefined;
  }
  const checks = [...byProperty.values()];
  return (instance) => {
    for (const c of checks) {
      const value = instance[c.property];
      if (c.conditions.some((cond) => !cond(instance, value))) continue;
      for (const test of c.tests) {
        const ok = test(value, instance);
        if (ok !== true) return false; // false, or a promise: let class-validator decide
      }
    }
    return true;
  };
}
