import type { Contract, MethodContract } from "../client/service-client";
import { getHandlerMetas, getServiceMeta, type Constructor } from "../decorators/metadata-keys";
import { defaultEndpointName } from "./explorer";
import { streamKindOf } from "./stream-kind";

/**
 * The contract of a `@Service` class, read from its decorators by the rule the server uses
 * (`<Class>.<Method>` or the `@Handler` name, stream kinds as the server infers them). Export
 * it beside the class (`export const GreeterContract = contractOf(Greeter)`) for clients.
 */
export function contractOf<S>(cls: Constructor<S>): Contract<S> {
  const service = getServiceMeta(cls);
  if (!service) throw new TypeError(`${cls.name} has no @Service decorator: it has no contract`);
  const proto = cls.prototype as Record<string, unknown>;
  const methods: Record<string, MethodContract> = {};
  for (const meta of getHandlerMetas(cls)) {
    const fn = proto[meta.method];
    if (typeof fn !== "function") throw new TypeError(`${cls.name}.${meta.method} is decorated but is not a method`);
    const stream = streamKindOf(cls, meta.method, fn as (...args: never[]) => unknown, meta.options.stream);
    methods[meta.method] = stream ? { endpoint: meta.name ?? defaultEndpointName(cls.name, meta.method), stream } : { endpoint: meta.name ?? defaultEndpointName(cls.name, meta.method) };
  }
  return { service: service.name, methods: methods as Contract<S>["methods"] };
}
