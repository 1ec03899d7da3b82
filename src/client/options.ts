import type { Broker } from "../broker/broker";
import type { Codec } from "../codec/codec";
import { DEFAULT_CODECS } from "../codec/defaults";
import { withDefaults } from "../internal/options";
import type { Logger } from "../logger/logger";
import type { Selector } from "../selector/selector";
import type { Transport } from "../transport/transport";
import type { Backoff, CallWrapper, RetryPolicy } from "./client";
import { exponentialBackoff } from "./backoff";
import { retryOnConnectionError } from "./retry";

/** Options of the RPC client. */
export interface RpcClientOptions {
  selector: Selector;
  transport: Transport;
  /** Resolves the transport a node advertises by name (node metadata "transport"); default: this client's own transport. */
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
  wrappers: readonly CallWrapper[];
  logger?: Logger;
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
  wrappers: [] as readonly CallWrapper[],
};

/** Fills in defaults. */
export function resolveRpcClientOptions(
  partial: Partial<RpcClientOptions> & Pick<RpcClientOptions, "selector" | "transport">,
): RpcClientOptions {
  return withDefaults(DEFAULT_RPC_CLIENT_OPTIONS, partial);
}
