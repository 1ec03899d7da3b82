import { createClient, createService, MemoryRegistry, Module, PinoLogger, type MethodSchema, type MicroSettings, type ServiceRecord } from "../../src";
import { EVENT_TOPIC, type Op } from "../payloads";
import { BenchDurableListener, BenchListener, BenchProtoRpcModule, BenchRpcModule, benchProtos, EVENT_SINK } from "./tsmicro-service";
import type { PubSubAdapter, RpcAdapter, SystemEnv } from "./types";

// tsmicro as a user runs it: createService/start on the server, createClient on the client.
// Discovery is not measured: the client calls the server's address directly
// (`call(..., { address })`) and both sides use the memory registry.

const ENDPOINT: Record<Op, string> = { hello: "Greeter.Hello", echo: "Greeter.Echo" };

/** Settings only from here (plus `env`): no MICRO_* variables or flags of the suite leak in. */
const isolated = (settings: Partial<MicroSettings>, env: Record<string, string> = {}) => ({ settings, env, argv: [], logger: new PinoLogger({ level: "warn" }) });

/**
 * Tracing "on" as an application runs it: the OpenTelemetry SDK with a batch processor, its
 * exporter dropping the batches so no collector's speed is measured.
 */
async function installTracing(): Promise<void> {
  const { BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const { NodeTracerProvider } = await import("@opentelemetry/sdk-trace-node");
  const drop = { export: (_spans: unknown[], done: (r: { code: 0 }) => void) => done({ code: 0 }), shutdown: async () => undefined };
  new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] }).register();
}

/** tsmicro RPC over `transport` with requests encoded as `contentType` (traced end to end with `traced`). */
export function tsmicroRpc(transport: string, contentType: string, traced = false): RpcAdapter {
  const settings: Partial<MicroSettings> = { registry: "memory", broker: "memory", transport };
  const proto = contentType === "application/protobuf";
  return {
    async startServer() {
      if (traced) await installTracing();
      const service = createService(proto ? BenchProtoRpcModule : BenchRpcModule, isolated(settings));
      await service.start();
      return { address: service.server.address, close: () => service.stop() };
    },
    async connect(address) {
      if (traced) await installTracing();
      const { client, close } = await createClient(isolated(settings));
      // retries: 0 so a failed call is counted as an error rather than hidden by a retry.
      const options = { address, contentType, retries: 0 };
      if (!proto) return { call: (op, body) => client.call("bench", ENDPOINT[op], body, options), close };
      // Protobuf needs each endpoint's message types, as a generated client passes them.
      const byOp: Record<Op, typeof options & { schema: MethodSchema }> = {
        hello: { ...options, schema: benchProtos().method("bench.Greeter.Hello") },
        echo: { ...options, schema: benchProtos().method("bench.Greeter.Echo") },
      };
      return { call: (op, body) => client.call("bench", ENDPOINT[op], body, byOp[op]), close };
    },
  };
}

/** The registry service under which the http broker registers subscriptions (go-micro's name). */
const HTTP_BROKER_SERVICE = "micro.http.broker";

function brokerSettings(broker: string, env: SystemEnv): Partial<MicroSettings> {
  const address = { nats: env.natsUrl, redis: env.redisUrl, rabbitmq: env.amqpUrl }[broker];
  return { registry: "memory", broker, brokerAddress: address ? [address] : [] };
}

/**
 * tsmicro's broker `broker` between a `@Subscribe` service and `client.publish`. For the http
 * broker the subscriber's registration is copied into the publisher's memory registry, so the
 * publisher finds it without mDNS (as with RPC, discovery is not what is measured).
 */
export function tsmicroPubSub(broker: string, delivery: "at-most-once" | "at-least-once" = "at-most-once"): PubSubAdapter {
  // On NATS the delivery picks the mode: core NATS for at-most-once, JetStream (publishes
  // resolve on the stream's ack, a durable consumer acks each event) for at-least-once.
  const env: Record<string, string> = broker === "nats" ? { MICRO_BROKER_JETSTREAM: delivery === "at-least-once" ? "on" : "off" } : {};
  const Listener = delivery === "at-least-once" ? BenchDurableListener : BenchListener;
  return {
    async subscribe(env_, onEvent) {
      @Module({ services: [Listener], providers: [{ provide: EVENT_SINK, useValue: onEvent }] })
      class ListenerModule {}
      const service = createService(ListenerModule, isolated(brokerSettings(broker, env_), env));
      await service.start();
      const info = broker === "http" ? await service.registry.getService(HTTP_BROKER_SERVICE) : [];
      return { info, close: () => service.stop() };
    },
    async publisher(env_, info) {
      const registry = new MemoryRegistry();
      for (const record of info as ServiceRecord[]) await registry.register(record);
      const { client, close } = await createClient({ ...isolated(brokerSettings(broker, env_), env), registry });
      return {
        publishBatch: async (events) => void (await Promise.all(events.map((ev) => client.publish(EVENT_TOPIC, ev)))),
        close,
      };
    },
  };
}
