import { STRATEGIES } from "../selector/strategies";
import type { Family, ProviderPlugin } from "./plugin";

/** A built-in entry, its option type erased so entries of every family sit in one list. */
type Entry = ProviderPlugin<Family, never>;

const child = (family: string) => ({ component: family });

/** Reads MICRO_BROKER_JETSTREAM; anything but auto/on/off is refused at start-up. */
function natsJetStream(value: string | undefined): "auto" | "on" | "off" {
  const v = (value ?? "auto").trim().toLowerCase() || "auto";
  if (v !== "auto" && v !== "on" && v !== "off") throw new Error(`MICRO_BROKER_JETSTREAM must be auto, on or off, got "${value}"`);
  return v;
}

/**
 * The providers tsmicro ships. Each is loaded the way an optional backend is (a dynamic import
 * when chosen), so adding etcd or nats is one more entry here and nothing else.
 */
export const BUILTIN_PROVIDERS: readonly Entry[] = [
  {
    family: "registry",
    name: "mdns",
    load: async () => {
      const { MdnsRegistry } = await import("../registry/mdns");
      return (_o, { config, logger, env }) => new MdnsRegistry({ logger: logger.child(child("registry")), domain: config.registryDomain }, env);
    },
  } satisfies ProviderPlugin<"registry">,
  {
    family: "registry",
    name: "consul",
    packages: ["consul"],
    load: async () => {
      const { ConsulRegistry } = await import("../registry/consul");
      // --registry_address / MICRO_REGISTRY_ADDRESS arrive as `addresses`; token, datacenter and TLS come from MICRO_CONSUL_* in `env`.
      return ({ addresses }, { logger, env }) => new ConsulRegistry({ addresses, logger: logger.child(child("registry")) }, env);
    },
  } satisfies ProviderPlugin<"registry">,
  {
    family: "registry",
    name: "etcd",
    packages: ["etcd3"],
    load: async () => {
      const { EtcdRegistry, etcdOptionsFromEnv } = await import("../registry/etcd");
      return ({ addresses }, { logger, env }) =>
        new EtcdRegistry({ ...etcdOptionsFromEnv(env), addresses, logger: logger.child(child("registry")) });
    },
  } satisfies ProviderPlugin<"registry">,
  {
    family: "registry",
    name: "memory",
    load: async () => {
      const { MemoryRegistry } = await import("../registry/memory");
      return () => new MemoryRegistry();
    },
  } satisfies ProviderPlugin<"registry">,
  {
    family: "transport",
    name: "tcp",
    load: async () => {
      const { TcpTransport } = await import("../transport/tcp");
      return (_o, { logger }) => new TcpTransport({ logger: logger.child(child("transport")) });
    },
  } satisfies ProviderPlugin<"transport">,
  {
    family: "transport",
    name: "http",
    load: async () => {
      const { HttpTransport } = await import("../transport/http");
      return (_o, { logger }) => new HttpTransport({ logger: logger.child(child("transport")) });
    },
  } satisfies ProviderPlugin<"transport">,
  {
    family: "transport",
    name: "grpc",
    // node:http2 only: no package to install (measured faster than @grpc/grpc-js, see docs/transport.md).
    load: async () => {
      const { GrpcTransport } = await import("../transport/grpc");
      return (_o, { logger }) => new GrpcTransport({ logger: logger.child(child("transport")) });
    },
  } satisfies ProviderPlugin<"transport">,
  {
    family: "transport",
    name: "nats",
    packages: ["nats"],
    // The NATS servers: MICRO_TRANSPORT_ADDRESS when set, else the broker's (--broker_address), else nats://127.0.0.1:4222.
    options: (config, env) => ({ addresses: env.MICRO_TRANSPORT_ADDRESS ? env.MICRO_TRANSPORT_ADDRESS.split(",").map((s) => s.trim()).filter(Boolean) : [...config.brokerAddress] }),
    load: async () => {
      const { NatsTransport } = await import("../transport/nats");
      return (o, { logger }) => new NatsTransport({ servers: o.addresses, logger: logger.child(child("transport")) });
    },
  } satisfies ProviderPlugin<"transport">,
  {
    family: "broker",
    name: "http",
    load: async () => {
      const { HttpBroker } = await import("../broker/http");
      // Subscribers are registered like the service's node, so --register_ttl/--register_interval apply to both.
      return (_o, { config, logger, registry }) =>
        new HttpBroker({
          registry: registry(),
          registerTtlMs: config.registerTtlMs,
          registerIntervalMs: config.registerIntervalMs,
          logger: logger.child(child("broker")),
        });
    },
  } satisfies ProviderPlugin<"broker">,
  {
    family: "broker",
    name: "rabbitmq",
    packages: ["amqplib"],
    load: async () => {
      const { RabbitMqBroker, loadAmqplib } = await import("../broker/rabbitmq");
      await loadAmqplib();
      // --broker_address / MICRO_BROKER_ADDRESS: amqp://user:pass@host:5672[/vhost]; the first one is used.
      return ({ addresses }, { logger }) => new RabbitMqBroker({ url: addresses[0], logger: logger.child(child("broker")) });
    },
  } satisfies ProviderPlugin<"broker">,
  {
    family: "broker",
    name: "memory",
    load: async () => {
      const { MemoryBroker } = await import("../broker/memory");
      return () => new MemoryBroker();
    },
  } satisfies ProviderPlugin<"broker">,
  {
    family: "broker",
    name: "redis",
    packages: ["ioredis"],
    load: async () => {
      const { RedisBroker, loadIoredis } = await import("../broker/redis");
      await loadIoredis();
      // --broker_address=redis://127.0.0.1:6379 (MICRO_BROKER_ADDRESS): one server; only the first address is used.
      return (o, { logger }) => new RedisBroker({ url: o.addresses[0], logger: logger.child(child("broker")) });
    },
  } satisfies ProviderPlugin<"broker">,
  {
    family: "broker",
    name: "nats",
    packages: ["nats"],
    // --broker_address=nats://h1:4222,nats://h2:4222 (MICRO_BROKER_ADDRESS): the servers of one cluster;
    // MICRO_BROKER_JETSTREAM=auto|on|off: whether JetStream is used (default auto).
    options: (config, env) => ({ addresses: [...config.brokerAddress], jetstream: natsJetStream(env.MICRO_BROKER_JETSTREAM) }),
    load: async () => {
      const { NatsBroker } = await import("../broker/nats");
      return (o, { logger }) => new NatsBroker({ servers: o.addresses, jetstream: o.jetstream, logger: logger.child(child("broker")) });
    },
  } satisfies ProviderPlugin<"broker", { addresses: string[]; jetstream: "auto" | "on" | "off" }>,
  // The strategy table is a few pure functions: read eagerly so the names are known up front.
  ...Object.keys(STRATEGIES).map(
    (strategy) =>
      ({
        family: "selector",
        name: strategy,
        load: async () => {
          const { RegistrySelector } = await import("../selector/registry-selector");
          return (_o, { registry, logger }) => new RegistrySelector({ registry: registry(), strategy: STRATEGIES[strategy]!(), logger });
        },
      }) satisfies ProviderPlugin<"selector">,
  ),
] as unknown as readonly Entry[];
