/** How a streaming endpoint streams: one request many responses, many requests one response, or both ways. */
export type StreamKind = "server" | "client" | "bidi";

/** The names of `S`'s methods: what a typed client of a service class may call. */
export type MethodNames<S> = { [K in keyof S]-?: S[K] extends (...args: never[]) => unknown ? K : never }[keyof S] & string;

/** Where one method of a contract goes: its endpoint and, for streams, the kind. */
export interface MethodContract {
  /** `Greeter.Hello`. */
  endpoint: string;
  /** Set for a streaming handler; undefined for unary. */
  stream?: StreamKind;
}

/**
 * The method → endpoint map of a service class, as a plain value: what a typed client needs at
 * run time. Build it with {@link defineContract} (no server code imported) or `contractOf(Class)`.
 */
export interface Contract<S = unknown> {
  /** The service name clients call (`greeter`). */
  readonly service: string;
  readonly methods: { readonly [K in MethodNames<S>]?: MethodContract };
  /** Carries `S` for type inference only; never set. */
  readonly __service?: S;
}

/**
 * Declares a contract without importing the server's code (a type-only import of its class is
 * enough): `defineContract<Greeter>("greeter", { hello: "Greeter.Hello" })`. Method names are
 * checked against the class; a string is a unary endpoint.
 */
export function defineContract<S>(service: string, methods: { readonly [K in MethodNames<S>]?: string | MethodContract }): Contract<S> {
  const out: Record<string, MethodContract> = {};
  for (const [name, m] of Object.entries(methods as Record<string, string | MethodContract | undefined>)) {
    if (m !== undefined) out[name] = typeof m === "string" ? { endpoint: m } : { ...m };
  }
  return { service, methods: out as Contract<S>["methods"] };
}
