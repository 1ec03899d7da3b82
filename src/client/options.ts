import type { Broker } from "../broker/broker";
import type { Codec } from "../codec/codec";
import { DEFAULT_CODECS } from "../codec/defaults";
import { withDefaults } from "../internal/options";
import type { Logger } from "../logger/logger";
import type { Registry } from "../registry/registry";
import type { Selector } from "../selector/selector";
import type { Transport } from "../transport/transport";
import type { Instantiate } from "../wrappers/chain";
import type { AttemptWrapperLike, Backoff, CallWrapperLike, PublishWrapperLike, RetryPolicy } from "./client";
import { exponentialBackoff } from "./backoff";
import { retryOnConnectionError } from "./retry";

/** Options of the RPC client. */
export interface RpcClientOptions {
  selector: Selector;
  transport: Transport;
  /**
   * The transport to dial a node with, by the name the node advertises in its `transport`
   * metadata ("tcp", "http"); default: always `transport`. Built lazily, one instance per name.
   */
  transports?: (name: string) => Transport | Promise<Transport>;
  broker?: Broker;
  codecs: readonly Codec[];
  /** Default call budget, ms; default 5000. */
  timeoutMs: number;
  /** Default extra attempts; default 1. */
  retries: number;
  retry: RetryPolicy;
  backoff: Backoff;
  /** Content-Type of requests; default application/json. */
  contentType: string;
  /** How long dialing a node may take, ms; default 5000. */
  dialTimeoutMs: number;
  /** Sent as `Micro-From-Service` when set. */
  fromService?: string;
  /** Call wrappers, outermost first: each runs once per call, around retries and the deadline. Default none. */
  wrappers: readonly CallWrapperLike[];
  /** Attempt wrappers, outermost first: each runs once per attempt, with the selected node. Default none. */
  attemptWrappers: readonly AttemptWrapperLike[];
  /** Publish wrappers, outermost first. Default none. */
  publishWrappers: readonly PublishWrapperLike[];
  /** Builds interceptor classes given as wrappers (the DI layer passes the container's `get`); default `new`. */
  instantiate?: Instantiate;
  logger?: Logger;
  /** Where `client.service("name")` reads the endpoints a service advertises; default none (typed clients then need a contract). */
  registry?: Registry;
}

/** Defaults for {@link RpcClientOptions}. */
export const DEFAULT_RPC_CLIENT_OPTIONS = {
  codecs: DEFAULT_CODECS,
  timeoutMs: 5000,
  retries: 1,
  retry: retryOnConnectionError,
  backoff: exponentialBackoff(),
  contentType: "application/json",
  dialTimeoutMs: 5000,
  wrappers: [] as readonly CallWrapperLike[],
  attemptWrappers: [] as readonly AttemptWrapperLike[],
  publishWrappers: [] as readonly PublishWrapperLike[],
};

/** Fills in defaults. */
export function resolveRpcClientOptions(
  partial: Partial<RpcClientOptions> & Pick<RpcClientOptions, "selector" | "transport">,
): RpcClientOptions {
  return withDefaults(DEFAULT_RPC_CLIENT_OPTIONS, partial);
}
