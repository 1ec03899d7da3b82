import { plainToInstance } from "class-transformer";
import { validate, type ValidationError } from "class-validator";
import type { Constructor } from "../decorators/metadata-keys";
import { badRequest, ErrorIds } from "../errors";

/**
 * Turns a decoded body into an instance of `type` and validates it. Rejects with a 400 naming
 * every failing field; resolves with the instance otherwise.
 */
export async function validateInto(type: Constructor, body: unknown): Promise<unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(`request body must be a JSON object matching ${type.name}`, ErrorIds.validation);
  }
  const instance = plainToInstance(type, body) as object;
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
