import { Container, type ServiceIdentifier } from "inversify";
import { resolveConfig, type MicroConfig } from "../cmd/config";
import { getServiceMeta, type Constructor, type Provider } from "../decorators/metadata-keys";
import type { ProtoRegistry } from "../proto/proto-registry";
import { DEFAULT_CODECS } from "../codec/defaults";
import { explore } from "../discovery/explorer";
import type { HandlerDescriptor, SubscriberDescriptor } from "../discovery/descriptors";
import { RpcClient } from "../client/rpc-client";
import type { AttemptWrapperLike, CallWrapperLike, PublishWrapperLike } from "../client/client";
import { randomUUID } from "node:crypto";
import { isatty } from "node:tty";
import { concreteLogFormat, parseLogFormat } from "../logger/format";
import { startupSummary } from "../service/summary";
import { LogRing } from "../logger/log-ring";
import { PinoLogger } from "../logger/pino-logger";
import { RingLogger } from "../logger/ring-logger";
import { startTelemetry } from "../observability/telemetry";
import { RpcServer } from "../server/rpc-server";
import type { HandlerWrapperLike, SubscriberWrapperLike } from "../server/server";
import { containerInstantiate, moduleWrappers } from "./wrappers";
import { MicroService, type ServiceHooks, type ServiceParts } from "../service/service";
import { bindProvider } from "./bind";
import { bindServiceClients, providerClasses } from "./service-clients";
import { protoTypesProvider } from "./proto-types";
import type { ConfigOptions } from "./config-options";
import { bindFamilies, type Chosen } from "./families";
import { providerToken, scanModule } from "./module-scan";
import { createTransportResolver } from "./transports";
import * as T from "./tokens";

/** Options of `createService` and `bootstrap`. */
export interface CreateServiceOptions extends ConfigOptions {
  /** Service name; default the `@Service` name of the module's services. */
  name?: string;
  /** Service version; default the `@Service` version. */
  version?: string;
  hooks?: ServiceHooks;
  /** How long shutdown waits for in-flight work, ms; default the server's (`DEFAULT_RPC_SERVER_OPTIONS.drainTimeoutMs`, 10000). */
  drainTimeoutMs?: number;
  /** Largest accepted request body, bytes; default 4 MiB. */
  maxBodyBytes?: number;
  /** Answer 400 naming undeclared request properties instead of stripping them; default false. */
  forbidNonWhitelisted?: boolean;
  /** Handler wrappers, outermost first, inside the module's `HandlerWrappers`. */
  handlerWrappers?: readonly HandlerWrapperLike[];
  /** Subscriber wrappers, outermost first, inside the module's `SubscriberWrappers`. */
  subscriberWrappers?: readonly SubscriberWrapperLike[];
  /** Call wrappers of the service's client (once per call), inside the module's `CallWrappers`. */
  callWrappers?: readonly CallWrapperLike[];
  /** Attempt wrappers of the service's client (once per attempt), inside the module's `AttemptWrappers`. */
  attemptWrappers?: readonly AttemptWrapperLike[];
  /** Publish wrappers of the service's client, inside the module's `PublishWrappers`. */
  publishWrappers?: readonly PublishWrapperLike[];
  /** Lets a caller change descriptors before they are served (used by the Function model). */
  decorate?: (d: { handlers: HandlerDescriptor[]; subscribers: SubscriberDescriptor[] }, service: () => MicroService) => void;
}

/**
 * Describes the service `AppModule` declares, without starting it (for tests and embedding).
 * Everything that can be checked without I/O is checked now and throws (unknown provider names,
 * settings, service names, handler payload types); the parts are built on the first
 * `service.ready()` or `service.start()`, which loads the chosen provider plugins and awaits
 * async factories. Use {@link createServiceAsync} to have the parts at hand at once.
 */
export function createService(AppModule: Constructor, options: CreateServiceOptions = {}): MicroService {
  const scanned = scanModule(AppModule);
  const module = { ...options.settings, ...(options.name ? { serverName: options.name } : {}) };
  const env = options.env ?? process.env;
  const config = resolveConfig({ module, env, argv: options.argv });

  // The service's name comes from class metadata, so Client and Server can be bound before any
  // service class is constructed (they may be injected into it).
  const named = scanned.services.map((cls) => getServiceMeta(cls)).filter((s) => s !== undefined);
  const name = config.serverName || named[0]?.name;
  if (!name) throw new Error(`${AppModule.name} lists no @Service class in services and no name option was given: nothing to serve`);
  const others = [...new Set(named.map((s) => s.name))].filter((n) => n !== named[0]?.name);
  if (others.length > 0) throw new Error(`one process serves one service: "${name}" and ${others.map((o) => `"${o}"`).join(", ")} found in ${AppModule.name}`);
  // Later providers override earlier ones for the same token.
  const providers = new Map(scanned.providers.map((p) => [providerToken(p), p]));
  const protoProvider = providers.get(T.ProtoTypes);
  if (protoProvider) providers.set(T.ProtoTypes, protoTypesProvider(protoProvider));
  // Handler payload types are read from class metadata: a bad one fails here, not at start().
  // A ProtoTypes value is at hand now; one from a factory is checked at build time.
  const protoValue = valueOf(providers.get(T.ProtoTypes));
  for (const cls of scanned.services) explore(Object.create((cls as { prototype: object }).prototype) as object, { protos: protoValue, lenient: providers.has(T.ProtoTypes) && !protoValue });

  // Every line the service writes names the service and node, and the newest are kept for Debug.Log.
  const nodeId = `${name}-${randomUUID()}`;
  const logs = new LogRing();
  const format = concreteLogFormat(parseLogFormat(config.logFormat), isatty(2));
  const base = options.logger ?? new PinoLogger({ level: config.logLevel, format });
  // On a terminal the default logger prints one start-up summary instead of a line per provider.
  const chosen: Chosen | undefined = !options.logger && format === "pretty" ? new Map() : undefined;
  const serviceLogger = new RingLogger(base, logs, config.logLevel).child({ service: name });
  const logger = serviceLogger.child({ node: nodeId });
  const container = new Container({ defaultScope: "Singleton" });
  container.bind(T.Logger).toConstantValue(logger);
  container.bind(T.MicroConfig).toConstantValue(config);

  bindFamilies(container, { config, logger, env }, providers, chosen);
  if (!providers.has(T.Codecs)) container.bind(T.Codecs).toConstantValue(DEFAULT_CODECS);
  for (const [token, p] of providers) if (!isFamilyToken(token)) bindProvider(container, p);
  for (const cls of scanned.services) if (!container.isBound(cls)) container.bind(cls).toSelf().inSingletonScope();

  const build = async (): Promise<ServiceParts> => {
    const registry = await container.getAsync(T.Registry);
    const transport = await container.getAsync(T.Transport);
    const broker = await container.getAsync(T.Broker);
    const selector = await container.getAsync(T.Selector);
    const codecs = await container.getAsync(T.Codecs);
    // Outermost of every chain, so they see what the caller sees (wrappers' rejections included).
    const telemetry = await startTelemetry({ serviceName: name, broker: broker.name, env, metricsAddress: config.metricsAddress, logger });
    try {
      const instantiate = containerInstantiate(container);
      const transports = createTransportResolver(transport, { config, logger, env, registry: () => registry });
      const client = new RpcClient({
        selector,
        transport,
        transports: (n) => transports.resolve(n),
        broker,
        codecs,
        timeoutMs: config.clientTimeoutMs,
        retries: config.clientRetries,
        fromService: name,
        wrappers: [...telemetry.callWrappers, ...moduleWrappers(container, T.CallWrappers, options.callWrappers)],
        attemptWrappers: [...telemetry.attemptWrappers, ...moduleWrappers(container, T.AttemptWrappers, options.attemptWrappers)],
        publishWrappers: [...telemetry.publishWrappers, ...moduleWrappers(container, T.PublishWrappers, options.publishWrappers)],
        instantiate,
        registry,
        logger,
      });
      container.bind(T.Client).toConstantValue(client);
      bindServiceClients(container, client, [...scanned.services, ...providerClasses(providers.values())]);
      const server = new RpcServer({
        name,
        version: options.version ?? named[0]?.version,
        metadata: named[0]?.metadata,
        address: config.serverAddress,
        advertise: config.serverAdvertise || undefined,
        registry,
        transport,
        broker,
        client,
        codecs,
        registerTtlMs: config.registerTtlMs,
        registerIntervalMs: config.registerIntervalMs,
        drainTimeoutMs: options.drainTimeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        forbidNonWhitelisted: options.forbidNonWhitelisted,
        wrappers: [...telemetry.handlerWrappers, ...moduleWrappers(container, T.HandlerWrappers, options.handlerWrappers)],
        subscriberWrappers: [...telemetry.subscriberWrappers, ...moduleWrappers(container, T.SubscriberWrappers, options.subscriberWrappers)],
        instantiate,
        id: nodeId,
        logger: serviceLogger, // the server binds its node id itself
        debug: { logs, spans: telemetry.spans },
        startLogLevel: chosen ? "debug" : "info",
      });
      container.bind(T.Server).toConstantValue(server);
      telemetry.observe({
        connections: () => server.connections,
        pooled: () => client.pooledConnections,
        brokerLag: broker.lag?.bind(broker),
      });
      // Every provider is instantiated (as NestJS does), so each gets its lifecycle hooks even
      // when nothing injects it; imports first, then the module's own, then the service classes.
      const lifecycle: object[] = [];
      for (const token of providers.keys()) lifecycle.push(asObject(await container.getAsync(token as ServiceIdentifier<unknown>)));
      const instances: object[] = [];
      for (const cls of scanned.services) instances.push(await container.getAsync(cls as ServiceIdentifier<object>));
      const protos = container.isBound(T.ProtoTypes) ? await container.getAsync(T.ProtoTypes) : undefined;
      const explored = instances.map((instance) => explore(instance, { protos }));
      const descriptors = { handlers: explored.flatMap((e) => e.handlers), subscribers: explored.flatMap((e) => e.subscribers) };
      options.decorate?.(descriptors, () => service);
      server.handle(descriptors.handlers);
      if (protos) server.useProtoTypes(protos);
      server.subscribe(descriptors.subscribers);
      const unique = [...new Set([...lifecycle, ...instances])].filter((o) => o !== NOT_AN_OBJECT);
      const version = options.version ?? named[0]?.version ?? "latest";
      const announce = chosen
        ? () => logger.info(startupSummary({ service: name, version, node: nodeId, address: server.address, providers: chosen, tracing: telemetry.tracing, metrics: telemetry.metrics }))
        : undefined;
      return { server, client, registry, transport, broker, selector, logger, container, hooks: options.hooks, lifecycle: unique, owned: [transports, telemetry], announce };
    } catch (err) {
      await telemetry.close(); // a failed build must not leave the /metrics server listening
      throw err;
    }
  };
  const service = new MicroService({ name, logger, container, hooks: options.hooks, build });
  return service;
}

/**
 * Builds the service `AppModule` declares, with every part at hand (plugins loaded, async
 * factories resolved), without starting it. `bootstrap` builds and starts it.
 */
export async function createServiceAsync(AppModule: Constructor, options: CreateServiceOptions = {}): Promise<MicroService> {
  return createService(AppModule, options).ready();
}

const NOT_AN_OBJECT = {};

/** The value of a `{ provide, useValue }` provider entry. */
function valueOf(p: Provider | undefined): ProtoRegistry | undefined {
  return p && typeof p === "object" && "useValue" in p ? (p.useValue as ProtoRegistry) : undefined;
}

/** Lifecycle hooks live on objects; a provider's plain value (a string, a number) has none. */
function asObject(value: unknown): object {
  return (typeof value === "object" && value !== null) || typeof value === "function" ? (value as object) : NOT_AN_OBJECT;
}

function isFamilyToken(token: unknown): boolean {
  return Object.values(T.FAMILY_TOKENS).includes(token as never);
}

export type { MicroConfig };
