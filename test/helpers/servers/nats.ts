import { mkdtemp, writeFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports";
import { startProcess, type Child } from "../processes";
import { manageServer } from "./managed";

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
  const server = await manageServer(dir, () => startProcess("nats-server", ["-c", config]), (child) => answering(port, child));
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    ...server,
  };
}
