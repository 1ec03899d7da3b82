import { rm } from "node:fs/promises";
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
