import type { HandlerDescriptor } from "../discovery/descriptors";
import { describeType } from "../discovery/schema";
import { ErrorIds, notFound } from "../errors";
import type { Endpoint } from "../registry/registry";
import type { EndpointKind } from "../transport/transport";

/** Endpoint name → handler. Names starting with `Debug.` are internal and not advertised. */
export class Router {
  private readonly handlers = new Map<string, HandlerDescriptor>();

  add(descriptor: HandlerDescriptor): void {
    if (this.handlers.has(descriptor.endpoint)) throw new Error(`endpoint ${descriptor.endpoint} is registered twice`);
    if (descriptor.validate && !descriptor.requestType) {
      throw new TypeError(`endpoint ${descriptor.endpoint} has validate: true but no requestType to validate against`);
    }
    this.handlers.set(descriptor.endpoint, descriptor);
  }

  /** The handler for `endpoint`, or a 404 naming the endpoint and the service. */
  get(endpoint: string, service: string): HandlerDescriptor {
    const h = this.handlers.get(endpoint);
    if (!h) throw notFound(`endpoint "${endpoint}" not found on service "${service}"`, ErrorIds.endpointNotFound);
    return h;
  }

  /** The kind of `endpoint`, or undefined when it is not routed. */
  kind(endpoint: string): EndpointKind | undefined {
    const h = this.handlers.get(endpoint);
    return h === undefined ? undefined : (h.stream ?? "unary");
  }

  /** Every routed endpoint name, internal ones included. */
  names(): string[] {
    return [...this.handlers.keys()];
  }

  /** The gRPC path of `endpoint`'s `.proto` method, when it has one. */
  grpcPath(endpoint: string): string | undefined {
    return this.handlers.get(endpoint)?.schema?.path;
  }

  /** The endpoints to advertise, with request/response shapes. */
  endpoints(): Endpoint[] {
    return [...this.handlers.values()]
      .filter((h) => !h.endpoint.startsWith("Debug."))
      .map((h) => ({
        name: h.endpoint,
        request: h.requestType ? describeType(h.requestType) : undefined,
        response: h.responseType ? describeType(h.responseType) : undefined,
        metadata: h.metadata,
      }));
  }
}
