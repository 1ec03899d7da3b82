import { Context, type HandlerDescriptor, type Logger, type ServerRequest } from "../../../src";

/** A routed request to `endpoint` as a handler wrapper sees it. */
export function request(endpoint: string, body: unknown = {}): ServerRequest {
  const handler: HandlerDescriptor = { endpoint, validate: false, metadata: {}, invoke: async () => "ran" };
  return { service: "svc", endpoint, handler, header: {}, body };
}

/** A handler context with `caller` and an optional logger. */
export function context(caller = "caller", logger?: Logger): Context {
  return new Context({ caller, logger, service: "svc" });
}
