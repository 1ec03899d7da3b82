import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess, type Child } from "../processes";

/** How to start a test nats-server. */
export interface NatsServerOptions {
  /** Enable JetStream with a store in the server's temp dir; default false. */
  jetstream?: boolean;
  /** Largest message the server accepts, in bytes; default 8 MiB (the server's own default is 1 MiB). */
  maxPayload?: number;
}

/** A nats-server child process on a random loopback port, with its own temp dir. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server's temp dir (config and JetStream store). */
  readonly dir: string;
  /** The current process id. */
  pid(): number;
  /** SIGKILLs the server and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store (after {@link kill}, or kills it first). */
  restart(): Promise<void>;
  /** Kills the server and removes its temp dir; idempotent. */
  stop(): Promise<void>;
}

/** A free loopback port (asked of the OS, then released for the server to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the server sends its INFO line; rejects if it does not within `timeoutMs`. */
async function answering(port: number, child: Child, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1");
      socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
      socket.once("data", (d) => (socket.destroy(), resolve(d.toString().startsWith("INFO"))));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (child.process.exitCode !== null) throw new Error(`nats-server exited ${child.process.exitCode}: ${child.stderr()}`);
    if (Date.now() > deadline) throw new Error(`nats-server on ${port} did not answer within ${timeoutMs} ms: ${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts nats-server (optionally with JetStream) on a random loopback port; stop it in teardown. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = await mkdtemp(join(tmpdir(), "tsmicro-nats-"));
  const port = await freePort();
  const config = join(dir, "nats.conf");
  const lines = [`host: 127.0.0.1`, `port: ${port}`, `max_payload: ${options.maxPayload ?? 8 * 1024 * 1024}`];
  if (options.jetstream) lines.push(`jetstream { store_dir: "${join(dir, "js")}" }`);
  await writeFile(config, lines.join("\n") + "\n");
  let child: Child | undefined;
  const launch = async (): Promise<void> => {
    child = startProcess("nats-server", ["-c", config]);
    await answering(port, child);
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || c.process.exitCode !== null || c.process.signalCode !== null) return;
    c.process.kill("SIGKILL");
    await c.exited;
  };
  let stopped = false;
  await launch().catch(async (err: unknown) => {
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child!.pid,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
