import { validate, type ValidationError } from "class-validator";
import type { Constructor } from "../../decorators/metadata-keys";
import { badRequest, ErrorIds } from "../../errors";
import { compileCheck, type FastCheck } from "./compile";
import { compileInstantiate } from "./instantiate";

interface Compiled {
  instantiate(body: Record<string, unknown>): Record<string, unknown>;
  check?: FastCheck;
}

// One compilation per request class, for the life of the process.
const compiled = new WeakMap<Constructor, Compiled>();

function compiledFor(type: Constructor): Compiled {
  let c = compiled.get(type);
  if (!c) compiled.set(type, (c = { instantiate: compileInstantiate(type), check: compileCheck(type) }));
  return c;
}

/**
 * Turns a decoded body into an instance of `type` and validates it. Rejects with a 400 naming
 * every failing field; resolves with the instance otherwise. Valid requests take a compiled
 * synchronous path; invalid ones go through class-validator for its exact messages.
 */
export async function validateInto(type: Constructor, body: unknown): Promise<unknown> {
  return validateFast(type, body);
}

/**
 * As {@link validateInto}, but returns the instance synchronously when the compiled check
 * passes, so a valid request costs no promise; throws synchronously on a non-object body.
 */
export function validateFast(type: Constructor, body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(`request body must be a JSON object matching ${type.name}`, ErrorIds.validation);
  }
  const c = compiledFor(type);
  const instance = c.instantiate(body as Record<string, unknown>);
  if (c.check?.(instance)) return instance;
  return validateSlow(type, instance);
}

async function validateSlow(type: Constructor, instance: object): Promise<unknown> {
  const errors = await validate(instance, { forbidUnknownValues: false, validationError: { target: false, value: false } });
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
