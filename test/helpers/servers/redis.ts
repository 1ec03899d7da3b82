import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports";
import { startProcess, type Child } from "../processes";
import { manageServer } from "./managed";

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
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server's temp dir (its working directory and AOF). */
  readonly dir: string;
  /** The current process id. */
  pid(): number;
  /** SIGKILLs the server and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (after {@link kill}, or kills it first). */
  restart(): Promise<void>;
  /** Kills the server and removes its temp dir; idempotent. */
  stop(): Promise<void>;
}


/** Resolves once the server answers PING with +PONG (not -LOADING); rejects after `timeoutMs`. */
async function answering(port: number, child: Child, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1", () => socket.write("PING\r\n"));
      socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
      socket.once("data", (d) => (socket.destroy(), resolve(d.toString().startsWith("+PONG"))));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (child.process.exitCode !== null) throw new Error(`redis-server exited ${child.process.exitCode}: ${child.stdout()} ${child.stderr()}`);
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer within ${timeoutMs} ms: ${child.stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
  const server = await manageServer(dir, () => startProcess("redis-server", args), (child) => answering(port, child));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    ...server,
  };
}
