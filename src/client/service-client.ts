import type { StreamKind } from "../decorators/metadata-keys";
import { notFound } from "../errors";
import type { Endpoint } from "../registry/registry";
import type { CallOptions, Client } from "./client";
import { bidiStream, clientStream, serverStream, type StreamInput } from "./typed-streams";

/** The names of `S`'s methods: what a typed client of a service class may call. */
export type MethodNames<S> = { [K in keyof S]-?: S[K] extends (...args: never[]) => unknown ? K : never }[keyof S] & string;

/** What a handler method takes first: its request, or undefined when it takes nothing. */
export type RequestOf<F> = F extends () => unknown ? undefined : F extends (request: infer Q, ...rest: never[]) => unknown ? Q : never;

type ResultOf<F> = F extends (...args: never[]) => infer R ? R : never;

type Unary<Q, R> = [Q] extends [undefined] ? (request?: Q, options?: CallOptions) => Promise<R> : (request: Q, options?: CallOptions) => Promise<R>;

/**
 * How a client calls one handler method, from the handler's own signature (its `ctx` dropped):
 * `AsyncIterable` in and out is a bidi stream, `AsyncIterable` in a client stream, `AsyncIterable`
 * out (an async generator) a server stream, anything else a unary call.
 */
export type ClientMethod<F> =
  RequestOf<F> extends AsyncIterable<infer I>
    ? ResultOf<F> extends AsyncIterable<infer O>
      ? (input: StreamInput<I>, options?: CallOptions) => AsyncIterable<O>
      : (input: StreamInput<I>, options?: CallOptions) => Promise<Awaited<ResultOf<F>>>
    : ResultOf<F> extends AsyncIterable<infer O>
      ? (request: RequestOf<F>, options?: CallOptions) => AsyncIterable<O>
      : Unary<RequestOf<F>, Awaited<ResultOf<F>>>;

/** A typed client of a service class `S`: `client.service<Greeter>("greeter").hello({ name })`. */
export type ServiceClient<S> = { readonly [K in MethodNames<S>]: ClientMethod<S[K]> };

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

/** Options of {@link serviceClient}. */
export interface ServiceClientOptions {
  /** Options for every call; a call's own options win. Default none. */
  callOptions?: CallOptions;
  /**
   * The advertised endpoints of a service, for a client built from a name without a contract:
   * each names the method it serves in its `method` metadata. Default none (a contract is then required).
   */
  endpoints?: (service: string) => Promise<readonly Endpoint[]>;
}

/**
 * A typed client of service `S` over `client`. With a contract every call goes where the
 * contract says; with a service name the endpoints the service advertises in the registry
 * say which endpoint serves which method (their `method` metadata), looked up once per method.
 */
export function serviceClient<S>(client: Client, target: string | Contract<S>, options: ServiceClientOptions = {}): ServiceClient<S> {
  const service = typeof target === "string" ? target : target.service;
  const known = typeof target === "string" ? undefined : (target.methods as Readonly<Record<string, MethodContract | undefined>>);
  const looked = new Map<string, Promise<MethodContract>>();
  const lookup = (method: string): Promise<MethodContract> => {
    let found = looked.get(method);
    if (!found) {
      found = advertised(service, method, options.endpoints);
      looked.set(method, found);
      found.catch(() => looked.delete(method));
    }
    return found;
  };
  const methods = new Map<string, (arg: unknown, opts?: CallOptions) => unknown>();
  return new Proxy({} as ServiceClient<S>, {
    get(_, prop) {
      // Not a method: keeps `await proxy` and inspection from mistaking the proxy for a promise.
      if (typeof prop !== "string" || prop === "then" || prop === "toJSON") return undefined;
      let fn = methods.get(prop);
      if (!fn) {
        fn = (arg, opts) => {
          const merged = { ...options.callOptions, ...opts };
          if (known) {
            const c = known[prop];
            if (!c) throw notFound(`the contract of "${service}" has no method "${prop}"`);
            return invoke(client, service, c, arg, merged);
          }
          return deferred(lookup(prop).then((c) => invoke(client, service, c, arg, merged)));
        };
        methods.set(prop, fn);
      }
      return fn;
    },
  });
}

function invoke(client: Client, service: string, c: MethodContract, arg: unknown, options: CallOptions): unknown {
  switch (c.stream) {
    case "server":
      return serverStream(client, service, c.endpoint, arg, options);
    case "client":
      return clientStream(client, service, c.endpoint, arg as StreamInput<unknown>, options);
    case "bidi":
      return bidiStream(client, service, c.endpoint, arg as StreamInput<unknown>, options);
    default:
      return client.call(service, c.endpoint, arg, options);
  }
}

async function advertised(service: string, method: string, endpoints: ServiceClientOptions["endpoints"]): Promise<MethodContract> {
  if (!endpoints) throw new Error(`a typed client of "${service}" built from its name needs a registry to read endpoints from; pass a contract instead`);
  const found = (await endpoints(service)).find((e) => e.metadata?.method === method);
  if (!found) throw notFound(`service "${service}" advertises no endpoint for method "${method}"`);
  const kind = found.metadata?.stream_kind;
  return { endpoint: found.name, stream: kind === "server" || kind === "client" || kind === "bidi" ? kind : undefined };
}

/**
 * The result of a call whose kind is known only once the endpoint is looked up: a promise
 * (unary and client streams) that is also async-iterable (server and bidi streams).
 */
function deferred(result: Promise<unknown>): Promise<unknown> & AsyncIterable<unknown> {
  // A stream's reader never awaits the promise itself; its failure reaches the reader through iteration.
  result.catch(() => undefined);
  return Object.assign(result, {
    async *[Symbol.asyncIterator]() {
      const value = await result;
      if (value === null || typeof value !== "object" || !(Symbol.asyncIterator in value)) throw new TypeError("this method is not a stream: await it instead");
      yield* value as AsyncIterable<unknown>;
    },
  });
}
