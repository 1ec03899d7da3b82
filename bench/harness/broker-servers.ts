import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { deleteStreams, procCpuSeconds, type NatsServer } from "./nats-server";

// The redis-server and RabbitMQ node the redis/rabbitmq pub/sub rows share. Started through the
// test suite's helpers (random loopback ports, temp dirs, killed by PID), loaded lazily so a run
// without these rows never loads them (the RabbitMQ helper imports amqplib).

/** A broker server the suite started for some rows. */
export interface BrokerServer {
  url: string;
  /** Its process id now (undefined while it is down). */
  pid(): number | undefined;
  /** CPU seconds it has used so far (from /proc; 0 where unavailable). */
  cpuSeconds(): number;
  /** Kills it by PID and removes its temp dir. */
  stop(): Promise<void>;
}

/** Which external server a row needs besides its own processes. */
export type ServerKind = "nats" | "redis" | "rabbitmq";

/** The servers running for this suite run. */
export interface RunningServers {
  nats?: NatsServer;
  redis?: BrokerServer;
  rabbitmq?: BrokerServer;
}

const started = new Set<BrokerServer>();
/** Servers that a cell has used (so the next cell needs them emptied). */
const served = new WeakSet<BrokerServer>();
let hooked = false;

/** Registers `server` so an exit that skips `stop()` (an error, SIGINT) still SIGKILLs it by PID. */
function remember(server: BrokerServer): BrokerServer {
  started.add(server);
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const s of started) {
        const pid = s.pid();
        try {
          if (pid !== undefined) process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    });
  }
  const stop = server.stop;
  return { ...server, stop: () => stop().finally(() => started.delete(server)) };
}

const RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";

function onPath(bin: string): boolean {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  return dirs.some((d) => existsSync(join(d, bin)));
}

/** Why `kind`'s server cannot be started here, or undefined when it can. */
export function missingServer(kind: "redis" | "rabbitmq"): string | undefined {
  if (kind === "redis") return onPath("redis-server") ? undefined : "redis-server is not installed (apt-get install -y redis-server)";
  return existsSync(RABBITMQ_SERVER) ? undefined : `${RABBITMQ_SERVER} is missing (apt-get install -y rabbitmq-server)`;
}

/**
 * Starts redis-server with an append-only file fsynced on every write (in /dev/shm where there
 * is one), so the at-least-once row is measured against a server that keeps what it acknowledged.
 */
export async function startRedis(): Promise<BrokerServer> {
  const { startRedisServer } = await import("../../test/helpers/servers/redis");
  const server = await startRedisServer({ durable: true });
  return remember({ url: server.url, pid: () => server.pid(), cpuSeconds: () => procCpuSeconds(server.pid()), stop: () => server.stop() });
}

/** Starts a RabbitMQ node (4–10 s) with its own data dir. */
export async function startRabbitMqServer(): Promise<BrokerServer> {
  const { startRabbitMq } = await import("../../test/helpers/servers/rabbitmq");
  const server = await startRabbitMq();
  return remember({
    url: server.url,
    pid: () => server.pid,
    cpuSeconds: () => (server.pid === undefined ? 0 : procCpuSeconds(server.pid)),
    stop: () => server.stop(),
  });
}

/**
 * Empties the server a pub/sub cell is about to use of what earlier cells (or rounds) left, and
 * says what it removed. NATS: JetStream streams (one captures the subject every NATS row shares).
 * Redis: every key, so streams and consumer groups start afresh. RabbitMQ: a new node once one
 * served a cell (durable queues keep undelivered events, whose numbers a later cell would count
 * as its own; AMQP cannot list queues to delete them).
 */
export async function emptyServer(servers: RunningServers, kind: ServerKind | undefined): Promise<string | undefined> {
  if (kind === "rabbitmq" && servers.rabbitmq) {
    if (!served.has(servers.rabbitmq)) {
      served.add(servers.rabbitmq);
      return undefined;
    }
    await servers.rabbitmq.stop();
    servers.rabbitmq = await startRabbitMqServer();
    served.add(servers.rabbitmq);
    return `started a new RabbitMQ node at ${servers.rabbitmq.url}`;
  }
  if (kind === "nats" && servers.nats) {
    const deleted = await deleteStreams(servers.nats.url);
    return deleted.length > 0 ? `deleted JetStream streams ${deleted.join(", ")}` : undefined;
  }
  if (kind === "redis" && servers.redis) {
    const { default: Redis } = await import("ioredis");
    const redis = new Redis(servers.redis.url, { lazyConnect: true });
    try {
      await redis.connect();
      const keys = await redis.dbsize();
      await redis.flushall();
      return keys > 0 ? `emptied redis (${keys} keys)` : undefined;
    } finally {
      redis.disconnect();
    }
  }
  return undefined;
}

/** The server `kind` among `servers`, if it runs. */
export function serverOf(servers: RunningServers, kind: ServerKind | undefined): { cpuSeconds(): number } | undefined {
  return kind === undefined ? undefined : servers[kind];
}
