import { resolveConfig } from "../cmd/config";
import type { AttemptWrapperLike, CallWrapperLike, PublishWrapperLike } from "../client/client";
import { RpcClient } from "../client/rpc-client";
import { startTelemetry } from "../observability/telemetry";
import { PinoLogger } from "../logger/pino-logger";
import type { Broker } from "../broker/broker";
import type { Registry } from "../registry/registry";
import type { Selector } from "../selector/selector";
import type { Transport } from "../transport/transport";
import type { ConfigOptions } from "./config-options";
import { createProvider, findProvider } from "./providers";
import { createTransportResolver } from "./transports";

/** Options of {@link createClient}. */
export interface CreateClientOptions extends ConfigOptions {
  /** Use these instead of building them from settings. */
  registry?: Registry;
  transport?: Transport;
  broker?: Broker;
  /** Call wrappers (once per call), outermost first. */
  wrappers?: readonly CallWrapperLike[];
  /** Attempt wrappers (once per attempt, with the node), outermost first. */
  attemptWrappers?: readonly AttemptWrapperLike[];
  /** Publish wrappers, outermost first. */
  publishWrappers?: readonly PublishWrapperLike[];
  /** Sent as `Micro-From-Service`. */
  fromService?: string;
}

/** A standalone client and the providers it owns. */
export interface StandaloneClient {
  client: RpcClient;
  registry: Registry;
  selector: Selector;
  transport: Transport;
  broker: Broker;
  /** Closes the client and the providers it built (not those passed in); idempotent. */
  close(): Promise<void>;
}

/** Builds a client outside a service (scripts, CLIs, tests), configured like a service. */
export async function createClient(options: CreateClientOptions = {}): Promise<StandaloneClient> {
  const env = options.env ?? process.env;
  const config = resolveConfig({ module: options.settings, env, argv: options.argv });
  // A script's client stays quiet unless asked: its default level is "warn", not a service's "info".
  const logger = options.logger ?? new PinoLogger({ level: config.sources.logLevel === "default" ? "warn" : config.logLevel });
  // Names are checked before anything is loaded or built, so a typo costs nothing.
  for (const family of ["registry", "selector", "transport", "broker"] as const) if (family === "selector" || !options[family]) findProvider(family, config[family]);
  const base = { config, logger, env, registry: (): Registry => registry };
  const registry = options.registry ?? (await createProvider("registry", config.registry, base));
  const selector = await createProvider("selector", config.selector, base);
  const transport = options.transport ?? (await createProvider("transport", config.transport, base));
  const broker = options.broker ?? (await createProvider("broker", config.broker, base));
  if (!options.broker) await broker.connect();
  const transports = createTransportResolver(transport, base);
  // A client continues or starts traces as a service does (so `micro call` starts one); metrics are a service's.
  const telemetry = await startTelemetry({ serviceName: options.fromService ?? "tsmicro-client", broker: broker.name, env, metricsAddress: "", logger });
  const client = new RpcClient({
    selector,
    transport,
    transports: (name) => transports.resolve(name),
    broker,
    timeoutMs: config.clientTimeoutMs,
    retries: config.clientRetries,
    wrappers: [...telemetry.callWrappers, ...(options.wrappers ?? [])],
    attemptWrappers: [...telemetry.attemptWrappers, ...(options.attemptWrappers ?? [])],
    publishWrappers: [...telemetry.publishWrappers, ...(options.publishWrappers ?? [])],
    fromService: options.fromService,
    registry,
    logger,
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Only what this call built: providers passed in belong to the caller.
      await client.close();
      await telemetry.close();
      await selector.close();
      await transports.close();
      if (!options.broker) await broker.disconnect();
      if (!options.transport) await transport.close();
      if (!options.registry) await registry.close();
    })());
  return { client, registry, selector, transport, broker, close };
}
