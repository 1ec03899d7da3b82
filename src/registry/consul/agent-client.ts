import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { Agent as HttpsAgent } from "node:https";
import { isNativeError } from "node:util/types";
import Consul from "consul";
import { ErrorIds, MicroError, serviceUnavailable } from "../../errors";
import type { ConsulEndpoint, ResolvedConsulRegistryOptions } from "./options";

/** The body of `PUT /v1/agent/service/register`, in the `consul` library's lower-case form. */
export interface ServiceRegistration {
  id: string;
  name: string;
  tags: string[];
  address: string;
  port: number;
  meta: Record<string, string>;
  check?: { name: string; ttl: string; deregistercriticalserviceafter: string };
}

/** One element of `GET /v1/health/service/:name`. */
export interface HealthEntry {
  Node?: { Address?: string };
  Service: { ID: string; Service: string; Tags?: string[] | null; Address?: string; Port?: number; Meta?: Record<string, string> | null };
  Checks?: { Status?: string }[] | null;
}

/** A blocking read's result and its `X-Consul-Index`. */
export interface Indexed<T> {
  index: number;
  body: T;
}

/** Options of one blocking read. */
export interface BlockingOptions {
  /** `index` to wait past; 0 answers at once. */
  index: number;
  /** Aborts the request (the watcher stopped). */
  signal?: AbortSignal;
}

/**
 * The part of the `consul` library this registry calls. Its bundled typings declare fields the
 * TTL check does not use as required and leave out the per-call `index`/`wait`/`ctx` that
 * blocking queries need, so the client is narrowed to this shape once, here.
 */
interface ConsulApi {
  agent: {
    service: { register(o: ServiceRegistration & CallOptions): Promise<unknown>; deregister(o: { id: string } & CallOptions): Promise<unknown> };
    check: { pass(o: { id: string } & CallOptions): Promise<unknown> };
  };
  health: { service(o: { service: string; passing: boolean } & CallOptions): Promise<unknown> };
  catalog: { service: { list(o: CallOptions): Promise<unknown> } };
  destroy(): void;
}

interface CallOptions {
  timeout?: number;
  index?: string;
  wait?: string;
  ctx?: EventEmitter;
}

interface ResponseLike {
  headers: Record<string, string | undefined>;
}

/** Talks to the configured agents: one `consul` client per address, moving to the next after a connection error. */
export class AgentClient {
  private readonly clients: { endpoint: ConsulEndpoint; api: ConsulApi }[];
  private current = 0;

  constructor(private readonly options: ResolvedConsulRegistryOptions) {
    const tls = options.tls;
    const read = (f?: string): Buffer | undefined => (f ? readFileSync(f) : undefined);
    const ca = read(tls?.caFile);
    const cert = read(tls?.certFile);
    const key = read(tls?.keyFile);
    this.clients = options.endpoints.map((endpoint) => ({
      endpoint,
      api: new Consul({
        host: endpoint.host,
        port: endpoint.port,
        secure: endpoint.secure,
        ...(endpoint.secure ? { agent: new HttpsAgent({ keepAlive: true, ca, cert, key }) } : {}),
        defaults: { ...(options.token ? { token: options.token } : {}), ...(options.datacenter ? { dc: options.datacenter } : {}) },
      }) as unknown as ConsulApi,
    }));
  }

  /** The agent currently used, `host:port`. */
  get address(): string {
    const e = this.clients[this.current]!.endpoint;
    return `${e.host}:${e.port}`;
  }

  /** `PUT /v1/agent/service/register`. */
  async register(reg: ServiceRegistration): Promise<void> {
    await this.call((api) => api.agent.service.register({ ...reg, timeout: this.options.requestTimeoutMs }));
  }

  /** `PUT /v1/agent/service/deregister/:id`; false when the agent does not know the ID. */
  async deregister(id: string): Promise<boolean> {
    try {
      await this.call((api) => api.agent.service.deregister({ id, timeout: this.options.requestTimeoutMs }));
      return true;
    } catch (err) {
      if (MicroError.is(err) && err.code === 404) return false;
      throw err;
    }
  }

  /** `PUT /v1/agent/check/pass/:checkId`. */
  async pass(checkId: string): Promise<void> {
    await this.call((api) => api.agent.check.pass({ id: checkId, timeout: this.options.requestTimeoutMs }));
  }

  /** `GET /v1/health/service/:name?passing`, blocking past `index`. */
  healthService(name: string, o: BlockingOptions): Promise<Indexed<HealthEntry[]>> {
    return this.blocking(o, (api, call) => api.health.service({ service: name, passing: true, ...call }), []);
  }

  /** `GET /v1/catalog/services`, blocking past `index`. */
  catalogServices(o: BlockingOptions): Promise<Indexed<Record<string, string[]>>> {
    return this.blocking(o, (api, call) => api.catalog.service.list(call), {});
  }

  /** Releases the keep-alive connections. */
  close(): void {
    for (const c of this.clients) c.api.destroy();
  }

  private async blocking<T>(o: BlockingOptions, fn: (api: ConsulApi, call: CallOptions) => Promise<unknown>, empty: T): Promise<Indexed<T>> {
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
    const abort = (): boolean => ctx.emit("cancel");
    if (o.signal?.aborted) throw serviceUnavailable("consul: watch stopped");
    o.signal?.addEventListener("abort", abort, { once: true });
    const waitMs = this.options.watchWaitMs;
    // The agent may wait up to wait/16 longer than asked (jitter), then the answer must still arrive.
    const call: CallOptions = { ctx, timeout: waitMs + Math.ceil(waitMs / 16) + this.options.requestTimeoutMs };
    if (o.index > 0) Object.assign(call, { index: String(o.index), wait: `${waitMs}ms` });
    try {
      const [res, body] = (await this.call((api) => fn(api, call))) as [ResponseLike, T | null];
      const index = Number(res.headers["x-consul-index"] ?? "0");
      return { index: Number.isSafeInteger(index) && index > 0 ? index : 0, body: body ?? empty };
    } finally {
      o.signal?.removeEventListener("abort", abort);
    }
  }

  /** Runs `fn` on the current agent; a connection error moves on to the next address and is rethrown as a 503. */
  private async call<T>(fn: (api: ConsulApi) => Promise<T>): Promise<T> {
    const at = this.current;
    const { endpoint, api } = this.clients[at]!;
    try {
      const result = await fn(api);
      // papi resolves (instead of rejecting) with an error it cannot recognise as `instanceof Error`,
      // as happens for socket errors when it runs in another realm (a test sandbox, a VM context).
      if (isNativeError(result)) throw result;
      return result;
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      const where = `${endpoint.host}:${endpoint.port}`;
      if (typeof status === "number") {
        const body = String((err as Error).message).replace(/^consul: /, "");
        throw new MicroError(status === 403 ? ErrorIds.forbidden : status === 404 ? ErrorIds.notFound : ErrorIds.unavailable, status === 403 || status === 404 || status === 400 ? status : 503, `consul agent ${where}: ${status} ${body}`, { cause: err });
      }
      if (this.clients.length > 1 && this.current === at) this.current = (at + 1) % this.clients.length;
      throw serviceUnavailable(`consul agent ${where} unreachable: ${(err as Error).message}`, ErrorIds.unavailable);
    }
  }
}
