import type { Broker } from "../broker/broker";
import type { Client } from "../client/client";
import type { Codec } from "../codec/codec";
import { DEFAULT_CODECS } from "../codec/defaults";
import { withDefaults } from "../internal/options";
import type { DebugSources } from "../debug/handlers";
import type { Logger } from "../logger/logger";
import { SilentLogger } from "../logger/silent";
import type { Registry } from "../registry/registry";
import type { Transport } from "../transport/transport";
import type { Instantiate } from "../wrappers/chain";
import type { HandlerWrapperLike, SubscriberWrapperLike } from "./server";

/** Options of the RPC server. */
export interface RpcServerOptions {
  /** Service name. */
  name: string;
  /** Service version; default "latest". */
  version: string;
  /** Service-level metadata advertised in the registry. */
  metadata: Record<string, string>;
  /** Node id; default `<name>-<uuid>`. */
  id?: string;
  /** Listen address; default 127.0.0.1:0 (loopback, any free port). */
  address: string;
  /**
   * Address to advertise instead of the bound one (host or host:port; a host alone gets the bound
   * port). Default: the bound address, or 127.0.0.1 with the bound port when bound to 0.0.0.0/::.
   */
  advertise?: string;
  registry: Registry;
  transport: Transport;
  broker?: Broker;
  /** Lets handlers call onwards through `ctx.call`. */
  client?: Client;
  codecs: readonly Codec[];
  /** Registration TTL, ms; default 90000. */
  registerTtlMs: number;
  /** Re-registration interval, ms; default 30000. */
  registerIntervalMs: number;
  /** How long shutdown waits for in-flight work, ms; default 10000. */
  drainTimeoutMs: number;
  /** Largest accepted request body, bytes; default 4 MiB. */
  maxBodyBytes: number;
  /**
   * Answer 400 `tsmicro.validation` naming properties a request (or event) class does not
   * declare, instead of stripping them; default false. Handlers and subscribers may override it.
   */
  forbidNonWhitelisted: boolean;
  /**
   * Requests (and events) in flight beyond which new requests are refused with 503
   * `tsmicro.overloaded` before dispatch (so clients may safely retry them elsewhere); default
   * 1024. `Infinity` turns the load shedder off.
   */
  maxInflight: number;
  /** Handler wrappers, outermost first; each handler's `@UseWrappers` run inside them. Default none. */
  wrappers: readonly HandlerWrapperLike[];
  /** Subscriber wrappers, outermost first; each subscriber's own run inside them. Default none. */
  subscriberWrappers: readonly SubscriberWrapperLike[];
  /** Builds interceptor classes given as wrappers (the DI layer passes the container's `get`); default `new`. */
  instantiate?: Instantiate;
  logger: Logger;
  /** Level of the "server listening" line; "debug" when a start-up summary says it instead. Default "info". */
  startLogLevel?: "info" | "debug";
  /** Where `Debug.Log` and `Debug.Trace` read from (the service's log ring and span ring); default none (empty answers). */
  debug?: Pick<DebugSources, "logs" | "spans">;
}

/** Defaults for {@link RpcServerOptions}. */
export const DEFAULT_RPC_SERVER_OPTIONS = {
  version: "latest",
  metadata: {} as Record<string, string>,
  address: "127.0.0.1:0",
  codecs: DEFAULT_CODECS,
  registerTtlMs: 90_000,
  registerIntervalMs: 30_000,
  drainTimeoutMs: 10_000,
  maxBodyBytes: 4 * 1024 * 1024,
  forbidNonWhitelisted: false,
  maxInflight: 1024,
  wrappers: [] as readonly HandlerWrapperLike[],
  subscriberWrappers: [] as readonly SubscriberWrapperLike[],
  logger: new SilentLogger() as Logger,
};

/** Fills in defaults. */
export function resolveRpcServerOptions(
  partial: Partial<RpcServerOptions> & Pick<RpcServerOptions, "name" | "registry" | "transport">,
): RpcServerOptions {
  return withDefaults(DEFAULT_RPC_SERVER_OPTIONS, partial);
}
