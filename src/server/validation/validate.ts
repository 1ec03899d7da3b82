import { validate, type ValidationError } from "class-validator";
import type { Constructor } from "../../decorators/metadata-keys";
import { badRequest, ErrorIds } from "../../errors";
import { compileCheck, type FastCheck } from "./compile";
import { compileInstantiate, unknownProperties, type Instantiator } from "./instantiate";
import { knownProperties } from "./known";

/** Options of {@link validateInto}. */
export interface ValidateOptions {
  /**
   * Reject a body carrying properties the class does not declare (400 naming them) instead of
   * stripping them; default false (strip, as class-validator's `whitelist`).
   */
  forbidNonWhitelisted?: boolean;
}

interface Compiled {
  /** Whitelisted properties; undefined when the class has no class-validator decorators (nothing is checked). */
  known: ReadonlySet<string> | undefined;
  make: Instantiator;
  check?: FastCheck;
}

// One compilation per request class, for the life of the process.
const compiled = new WeakMap<Constructor, Compiled>();

function compiledFor(type: Constructor): Compiled {
  let c = compiled.get(type);
  if (!c) {
    const known = knownProperties(type);
    compiled.set(type, (c = { known, make: compileInstantiate(type, known), check: compileCheck(type) }));
  }
  return c;
}

/**
 * Turns a decoded body into an instance of `type` and validates it. Properties the class does
 * not declare are stripped (or, with `forbidNonWhitelisted`, rejected). Rejects with a 400
 * naming every failing field; resolves with the instance otherwise.
 */
export async function validateInto(type: Constructor, body: unknown, options: ValidateOptions = {}): Promise<unknown> {
  return validateFast(type, body, options.forbidNonWhitelisted ?? false);
}

/**
 * As {@link validateInto}, but returns the instance synchronously when the compiled check
 * passes, so a valid request costs no promise; throws synchronously on a non-object body.
 * Invalid (or unmodelled) requests go through class-validator for its exact messages.
 */
export function validateFast(type: Constructor, body: unknown, forbidNonWhitelisted = false): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(`request body must be a JSON object matching ${type.name}`, ErrorIds.validation);
  }
  const c = compiledFor(type);
  const plain = body as Record<string, unknown>;
  // No decorators: nothing to check or strip against (the server warned about it at start-up).
  if (!c.known) return c.make.all(plain);
  let instance: Record<string, unknown>;
  if (forbidNonWhitelisted) {
    instance = c.make.all(plain);
    if (unknownProperties(instance, c.known).length > 0) return validateSlow(type, instance, true);
  } else {
    instance = c.make.known(plain);
  }
  if (c.check?.(instance)) return instance;
  return validateSlow(type, instance, forbidNonWhitelisted);
}

async function validateSlow(type: Constructor, instance: object, forbidNonWhitelisted: boolean): Promise<unknown> {
  const errors = await validate(instance, {
    forbidUnknownValues: false,
    whitelist: true,
    forbidNonWhitelisted,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw badRequest(`invalid ${type.name}: ${describeErrors(errors).join("; ")}`, ErrorIds.validation);
  return instance;
}

/** One line per failing field, nested fields as `a.b`. */
function describeErrors(errors: readonly ValidationError[], prefix = ""): string[] {
  return errors.flatMap((e) => {
    const path = `${prefix}${e.property}`;
    const own = e.constraints ? [`${path}: ${Object.values(e.constraints).join(", ")}`] : [];
    return [...own, ...describeErrors(e.children ?? [], `${path}.`)];
  });
}
