import { getParamTypes, type Constructor } from "../decorators/metadata-keys";

/** What a handler or subscriber receives as its first argument, and whether it is validated. */
export interface PayloadType {
  type?: Constructor;
  validate: boolean;
}

/** How a payload is described in decorator options and named in errors. */
export interface PayloadSpec {
  /** "request" for handlers, "event" for subscribers. */
  kind: "request" | "event";
  /** `Greeter.Hello` or the topic. */
  label: string;
  /** The decorator and option names in the fix: `@Handler({ request: Dto })`. */
  decorator: "@Handler" | "@Subscribe";
  /** The explicit class from the options, if any. */
  explicit?: Constructor;
  validate?: boolean;
  /** The payload's type comes from a `.proto`: a missing class then means "nothing to validate", not an error. */
  proto?: boolean;
}

const BUILTINS = new Set<unknown>([Object, String, Number, Boolean, Array, Promise, Function, Symbol, BigInt, Date, Map, Set]);

/**
 * The payload class of `cls.method`: the explicit option, else the first parameter's declared
 * class. Throws when the method takes a payload whose class cannot be known and validation was
 * not turned off, because validating nothing and advertising an empty shape would be silent.
 */
export function payloadTypeOf(cls: Constructor, method: string, fn: (...args: never[]) => unknown, spec: PayloadSpec): PayloadType {
  if (spec.explicit) return { type: spec.explicit, validate: spec.validate ?? true };
  const params = getParamTypes(cls.prototype as object, method);
  const type = classOrUndefined(params?.[0]);
  if (type || spec.validate === false || spec.proto) return { type, validate: type !== undefined && spec.validate !== false };
  // Without metadata the declared arity is the best evidence there is a payload at all.
  const takesPayload = params ? params.length > 0 : fn.length > 0;
  if (!takesPayload) return { validate: false };
  throw new TypeError(missingTypeMessage(cls, method, spec, params === undefined));
}

function missingTypeMessage(cls: Constructor, method: string, spec: PayloadSpec, noMetadata: boolean): string {
  const why = noMetadata
    ? "no decorator metadata was emitted for it (enable \"emitDecoratorMetadata\" in tsconfig.json; tsx and esbuild never emit it)"
    : "its first parameter is not typed with a class (an interface, `object` or a primitive leaves no type at runtime)";
  const option = spec.kind === "request" ? "request" : "event";
  return (
    `${spec.label} (${cls.name}.${method}): cannot tell which class to validate the ${spec.kind} against: ${why}. ` +
    `Name the class with ${spec.decorator}({ ${option}: Dto }), or accept untyped input with ${spec.decorator}({ validate: false }).`
  );
}

/** A user-defined class, or undefined for built-ins and erased types. */
export function classOrUndefined(t: unknown): Constructor | undefined {
  return typeof t === "function" && !BUILTINS.has(t) ? (t as Constructor) : undefined;
}
