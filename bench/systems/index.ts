import type { PubSubAdapter, RpcAdapter } from "./types";
import type { StreamAdapter } from "./stream-types";

// The catalogue of systems under test. Adapters are loaded lazily, so a child process only
// loads the one library it measures (its RSS is then that library's, not the whole suite's).

/** Who a row belongs to: ratios are taken against the raw limits and the best peer. */
export type Family = "tsmicro" | "raw" | "peer";

/** The raw rows other rows are compared with. */
export type LimitId = "raw-net" | "raw-http" | "raw-nats";

interface SystemInfo {
  /** Stable id, matched by `--only`. */
  id: string;
  /** Shown in the tables. */
  label: string;
  family: Family;
  /** The raw row this one is compared with (its "practical limit"). */
  limit: LimitId;
  /** Needs the nats-server the suite starts. */
  needsNats?: boolean;
  /** Needs the redis-server or RabbitMQ node the suite starts (only when such a row is selected). */
  needsServer?: "redis" | "rabbitmq";
  /** Resolves with why this system cannot run here, or undefined when it can. */
  unavailable?: () => Promise<string | undefined>;
  /** Set on a `--baseline` row: its processes run from that compiled bench, as system `id` there. */
  build?: { dir: string; id: string };
}

/** A request/response system. */
export interface RpcSystem extends SystemInfo {
  kind: "rpc";
  load(): Promise<RpcAdapter>;
}

/** A pub/sub system. */
export interface PubSubSystem extends SystemInfo {
  kind: "pubsub";
  load(): Promise<PubSubAdapter>;
  /** Fewer events than the suite's count for a slow system (said in the table). */
  maxEvents?: number;
}

/** A streaming system (the stream rows: messages per second). */
export interface StreamSystem extends SystemInfo {
  kind: "stream";
  load(): Promise<StreamAdapter>;
}

/** Any system. */
export type BenchSystem = RpcSystem | PubSubSystem | StreamSystem;

/** Why tsmicro has no `family` provider named `name`, or undefined when it has one. */
async function missingProvider(family: "transport" | "broker", name: string): Promise<string | undefined> {
  const { providerFactory } = await import("../../src/di/providers");
  try {
    providerFactory(family, name);
    return undefined;
  } catch {
    return `tsmicro has no ${family} "${name}" yet (providerFactory("${family}", "${name}") throws)`;
  }
}

const CODEC_IDS = { "application/json": "json", "application/json-rpc": "jsonrpc", "application/protobuf": "proto" } as const;

const tsmicroRpc = (transport: "http" | "tcp" | "grpc", contentType: keyof typeof CODEC_IDS, limit: LimitId): RpcSystem => ({
  kind: "rpc",
  id: `tsmicro-${transport}-${CODEC_IDS[contentType]}`,
  label: `tsmicro ${transport} + ${contentType.slice("application/".length)}`,
  family: "tsmicro",
  limit,
  unavailable: transport === "http" ? undefined : () => missingProvider("transport", transport),
  load: () => import("./tsmicro").then((m) => m.tsmicroRpc(transport, contentType)),
});

/** Every system, in table order. */
export const SYSTEMS: readonly BenchSystem[] = [
  tsmicroRpc("tcp", "application/json", "raw-net"),
  tsmicroRpc("tcp", "application/json-rpc", "raw-net"),
  {
    kind: "rpc",
    id: "tsmicro-tcp-json-traced",
    label: "tsmicro tcp + json, tracing on",
    family: "tsmicro",
    limit: "raw-net",
    load: () => import("./tsmicro").then((m) => m.tsmicroRpc("tcp", "application/json", true)),
  },
  tsmicroRpc("http", "application/json", "raw-http"),
  tsmicroRpc("http", "application/json-rpc", "raw-http"),
  tsmicroRpc("tcp", "application/protobuf", "raw-net"),
  // Same .proto and protobuf bodies as the @grpc/grpc-js row: tsmicro's gRPC transport on grpc-js's own protocol.
  tsmicroRpc("grpc", "application/protobuf", "raw-http"),
  { kind: "rpc", id: "raw-net", label: "raw node:net framing", family: "raw", limit: "raw-net", load: () => import("./raw-net").then((m) => m.rawNet) },
  { kind: "rpc", id: "raw-http", label: "raw node:http keep-alive", family: "raw", limit: "raw-http", load: () => import("./raw-http").then((m) => m.rawHttp) },
  { kind: "rpc", id: "moleculer-tcp", label: "Moleculer 0.14 TCP", family: "peer", limit: "raw-net", load: () => import("./moleculer").then((m) => m.moleculerRpc("tcp")) },
  { kind: "rpc", id: "nest-tcp", label: "NestJS 11 TCP", family: "peer", limit: "raw-net", load: () => import("./nest").then((m) => m.nestRpc("tcp")) },
  { kind: "rpc", id: "grpc", label: "@grpc/grpc-js unary", family: "peer", limit: "raw-http", load: () => import("./grpc").then((m) => m.grpcUnary) },
  { kind: "rpc", id: "raw-nats", label: "raw NATS request/reply", family: "raw", limit: "raw-nats", needsNats: true, load: () => import("./raw-nats").then((m) => m.rawNatsRpc) },
  { kind: "rpc", id: "moleculer-nats", label: "Moleculer 0.14 NATS", family: "peer", limit: "raw-nats", needsNats: true, load: () => import("./moleculer").then((m) => m.moleculerRpc("nats")) },
  { kind: "rpc", id: "nest-nats", label: "NestJS 11 NATS", family: "peer", limit: "raw-nats", needsNats: true, load: () => import("./nest").then((m) => m.nestRpc("nats")) },

  { kind: "pubsub", id: "pubsub-raw-nats", label: "raw NATS publish/subscribe", family: "raw", limit: "raw-nats", needsNats: true, load: () => import("./raw-nats").then((m) => m.rawNatsPubSub) },
  { kind: "pubsub", id: "pubsub-moleculer-nats", label: "Moleculer 0.14 NATS events", family: "peer", limit: "raw-nats", needsNats: true, load: () => import("./moleculer").then((m) => m.moleculerEvents) },
  { kind: "pubsub", id: "pubsub-nest-nats", label: "NestJS 11 NATS EventPattern/emit", family: "peer", limit: "raw-nats", needsNats: true, load: () => import("./nest").then((m) => m.nestEvents) },
  {
    kind: "pubsub",
    id: "pubsub-tsmicro-nats",
    label: "tsmicro nats broker, core at-most-once",
    family: "tsmicro",
    limit: "raw-nats",
    needsNats: true,
    unavailable: () => missingProvider("broker", "nats"),
    load: () => import("./tsmicro").then((m) => m.tsmicroPubSub("nats")),
  },
  {
    kind: "pubsub",
    id: "pubsub-tsmicro-nats-js",
    label: "tsmicro nats broker, JetStream at-least-once",
    family: "tsmicro",
    limit: "raw-nats",
    needsNats: true,
    unavailable: () => missingProvider("broker", "nats"),
    load: () => import("./tsmicro").then((m) => m.tsmicroPubSub("nats", "at-least-once")),
  },
  ...(["redis", "rabbitmq"] as const).flatMap((broker): PubSubSystem[] => [
    {
      kind: "pubsub",
      id: `pubsub-tsmicro-${broker}`,
      label: `tsmicro ${broker} broker, at-least-once queue group`,
      family: "tsmicro",
      limit: "raw-nats",
      needsServer: broker,
      unavailable: () => missingProvider("broker", broker),
      load: () => import("./tsmicro").then((m) => m.tsmicroPubSub(broker, "at-least-once")),
    },
    {
      kind: "pubsub",
      id: `pubsub-tsmicro-${broker}-amo`,
      label: `tsmicro ${broker} broker, at-most-once`,
      family: "tsmicro",
      limit: "raw-nats",
      needsServer: broker,
      unavailable: () => missingProvider("broker", broker),
      load: () => import("./tsmicro").then((m) => m.tsmicroPubSub(broker)),
    },
  ]),
  { kind: "stream", id: "stream-tsmicro-tcp", label: "tsmicro tcp stream", family: "tsmicro", limit: "raw-net", load: () => import("./tsmicro-stream").then((m) => m.tsmicroStream("tcp")) },
  { kind: "stream", id: "stream-tsmicro-grpc", label: "tsmicro grpc stream (json)", family: "tsmicro", limit: "raw-net", load: () => import("./tsmicro-stream").then((m) => m.tsmicroStream("grpc")) },
  { kind: "stream", id: "stream-tsmicro-http", label: "tsmicro http stream", family: "tsmicro", limit: "raw-net", load: () => import("./tsmicro-stream").then((m) => m.tsmicroStream("http")) },
  { kind: "stream", id: "stream-grpc", label: "@grpc/grpc-js streaming", family: "peer", limit: "raw-net", load: () => import("./grpc-stream").then((m) => m.grpcStream) },
  { kind: "stream", id: "stream-raw-net", label: "raw node:net stream framing", family: "raw", limit: "raw-net", load: () => import("./raw-net-stream").then((m) => m.rawNetStream) },
  { kind: "pubsub", id: "pubsub-tsmicro-http", label: "tsmicro http broker", family: "tsmicro", limit: "raw-nats", load: () => import("./tsmicro").then((m) => m.tsmicroPubSub("http")) },
];

/** The external server `sys` needs, if any. */
export function serverKindOf(sys: BenchSystem): "nats" | "redis" | "rabbitmq" | undefined {
  return sys.needsNats ? "nats" : sys.needsServer;
}

/** The system with `id`, or an error naming the known ones. */
export function systemById(id: string): BenchSystem {
  const found = SYSTEMS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown system "${id}"; known: ${SYSTEMS.map((s) => s.id).join(", ")}`);
  return found;
}
