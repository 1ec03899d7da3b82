import { readFileSync } from "node:fs";
import { Etcd3, type IOptions } from "etcd3";
import { endpointUrl, type ResolvedEtcdRegistryOptions } from "./options";

type FaultHandling = NonNullable<IOptions["faultHandling"]>;
type WatchBackoff = NonNullable<FaultHandling["watchBackoff"]>;
type HostPolicy = ReturnType<NonNullable<FaultHandling["host"]>>;

/** Exponential backoff (doubling, capped), the shape etcd3's watch manager asks for. */
export class CappedBackoff {
  constructor(
    readonly duration: number,
    private readonly maxMs: number,
  ) {}

  next(): CappedBackoff {
    return new CappedBackoff(Math.min(this.maxMs, this.duration * 2), this.maxMs);
  }
}

const NEVER = new AbortController().signal;

/**
 * etcd3's default per-host circuit breaker refuses every call for 5 s after three failures, so a
 * registration could not be restored for that long after etcd came back. The registry retries
 * with its own backoff instead, so each host's policy only passes the call through.
 */
const passThrough = {
  // Always a promise: etcd3 reports stream failures through `execute(() => { throw e }).catch(…)`.
  execute: async <T>(fn: (ctx: { signal: AbortSignal }) => T | Promise<T>): Promise<T> => fn({ signal: NEVER }),
} as unknown as HostPolicy;

/** Builds the etcd3 client (reads the TLS files); the client connects on its first request. */
export function createEtcdClient(o: ResolvedEtcdRegistryOptions): Etcd3 {
  const options: IOptions = {
    hosts: o.addresses.map((a) => endpointUrl(a, o.tls !== undefined)),
    dialTimeout: o.dialTimeoutMs,
    // Streams (watch, lease keepalive) live for as long as they are needed; every other call has a deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + o.requestTimeoutMs }),
    faultHandling: {
      host: () => passThrough,
      watchBackoff: new CappedBackoff(o.retryMinMs, o.retryMaxMs) as WatchBackoff,
    },
    // gRPC's own reconnect backoff grows to 2 minutes; keep it within the registry's retry bound.
    grpcOptions: { "grpc.initial_reconnect_backoff_ms": o.retryMinMs, "grpc.max_reconnect_backoff_ms": o.retryMaxMs },
  };
  if (o.username !== undefined && o.password !== undefined) options.auth = { username: o.username, password: o.password };
  if (o.tls) {
    options.credentials = {
      rootCertificate: readFileSync(o.tls.ca),
      ...(o.tls.cert ? { certChain: readFileSync(o.tls.cert) } : {}),
      ...(o.tls.key ? { privateKey: readFileSync(o.tls.key) } : {}),
    };
  }
  return new Etcd3(options);
}
