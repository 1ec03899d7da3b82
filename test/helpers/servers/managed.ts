import { rm } from "node:fs/promises";
import { connect } from "node:net";
import type { Child } from "../processes";

/** The lifecycle every real-server test helper offers: kill, restart on the same port and dir, stop. */
export interface ManagedServer {
  /** The current process id (changes on restart). */
  pid(): number;
  /** SIGKILLs the server and waits for it to exit; its dir stays. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (after {@link kill}, or kills it first). */
  restart(): Promise<void>;
  /** Kills the server and removes its temp dir; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a server process with `start`, waits for `ready`, and returns its lifecycle. A start
 * that fails kills what it started and removes `dir` before rejecting.
 */
export async function manageServer(dir: string, start: () => Child, ready: (child: Child) => Promise<void>): Promise<ManagedServer> {
  let child: Child | undefined;
  const launch = async (): Promise<void> => {
    child = start();
    await ready(child);
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

/**
 * Resolves once the server on `port` answers `hello` (sent on connect, if any) with a first
 * chunk starting `greeting`; rejects with its output if it exits or stays silent `timeoutMs`.
 */
export async function untilGreeted(name: string, port: number, child: Child, greeting: string, hello?: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => hello !== undefined && socket.write(hello));
      socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
      socket.once("data", (d) => (socket.destroy(), resolve(d.toString().startsWith(greeting))));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (child.process.exitCode !== null) throw new Error(`${name} exited ${child.process.exitCode}: ${child.stdout()} ${child.stderr()}`);
    if (Date.now() > deadline) throw new Error(`${name} on ${port} did not answer within ${timeoutMs} ms: ${child.stdout()} ${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
