import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports";
import { startProcess } from "../processes";
import { manageServer, untilGreeted, type ManagedServer } from "./managed";

/** How to start a test redis-server. */
export interface RedisServerOptions {
  /**
   * Write every command to an append-only file, fsynced at once (`--appendonly yes
   * --appendfsync always`), so a SIGKILL loses nothing; default false (nothing is persisted,
   * a restart starts empty).
   */
  durable?: boolean;
}

/** A redis-server child process on a random loopback port, with its own temp dir. */
export interface RedisServer extends ManagedServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server's temp dir (its working directory and AOF). */
  readonly dir: string;
}

/** Starts redis-server on a random loopback port (optionally durable); stop it in teardown. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  // A durable server keeps its AOF in memory-backed /dev/shm where there is one: `appendfsync
  // always` still writes every command before answering (so a SIGKILL of the server loses
  // nothing), but an fsync to a busy disk would cap it at ~150 writes/s.
  const base = options.durable && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = await mkdtemp(join(base, "tsmicro-redis-"));
  const port = await freePort();
  const persistence = options.durable ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "yes", "--save", "", "--dir", dir, "--loglevel", "warning", ...persistence];
  const server = await manageServer(dir, () => startProcess("redis-server", args), (child) => untilGreeted("redis-server", port, child, "+PONG", "PING\r\n"));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    ...server,
  };
}
