import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports";
import { startProcess } from "../processes";
import { manageServer, untilGreeted, type ManagedServer } from "./managed";

/** How to start a test nats-server. */
export interface NatsServerOptions {
  /** Enable JetStream with a store in the server's temp dir; default false. */
  jetstream?: boolean;
  /** Largest message the server accepts, in bytes; default 8 MiB (the server's own default is 1 MiB). */
  maxPayload?: number;
}

/** A nats-server child process on a random loopback port, with its own temp dir. */
export interface NatsServer extends ManagedServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server's temp dir (config and JetStream store). */
  readonly dir: string;
}

/** Starts nats-server (optionally with JetStream) on a random loopback port; stop it in teardown. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = await mkdtemp(join(tmpdir(), "tsmicro-nats-"));
  const port = await freePort();
  const config = join(dir, "nats.conf");
  const lines = [`host: 127.0.0.1`, `port: ${port}`, `max_payload: ${options.maxPayload ?? 8 * 1024 * 1024}`];
  if (options.jetstream) lines.push(`jetstream { store_dir: "${join(dir, "js")}" }`);
  await writeFile(config, lines.join("\n") + "\n");
  const server = await manageServer(dir, () => startProcess("nats-server", ["-c", config]), (child) => untilGreeted("nats-server", port, child, "INFO"));
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    ...server,
  };
}
