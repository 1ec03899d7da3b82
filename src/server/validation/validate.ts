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
  const instance = c.make.known(plain);
  // Unknown properties are never copied; forbidding them only adds a check of the body's keys.
  const unknown = forbidNonWhitelisted ? unknownProperties(plain, c.known) : NONE;
  if (unknown.length === 0 && c.check?.(instance)) return instance;
  return validateSlow(type, instance, forbidNonWhitelisted, unknown);
}

const NONE: readonly string[] = [];

async function validateSlow(type: Constructor, instance: object, forbidNonWhitelisted: boolean, unknown: readonly string[]): Promise<unknown> {
  // class-validator whitelists nested objects; the top level was whitelisted when the instance was made.
  const errors = await validate(instance, {
    forbidUnknownValues: false,
    whitelist: true,
    forbidNonWhitelisted,
    validationError: { target: false, value: false },
  });
  const lines = [...unknown.map((k) => `${k}: property ${k} should not exist`), ...describeErrors(errors)];
  if (lines.length > 0) throw badRequest(`invalid ${type.name}: ${lines.join("; ")}`, ErrorIds.validation);
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
