import { performance } from "node:perf_hooks";
import type { ChildConfig, ChildMessage, ParentMessage, Usage } from "../ipc";

// What every forked process shares: its config, typed IPC, usage snapshots, and dying with
// the harness (the IPC channel closes when the parent goes away).

/** This process's configuration (the JSON argument the harness passed). */
export function childConfig(): ChildConfig {
  const arg = process.argv[2];
  if (!arg) throw new Error("missing config argument; this file is started by bench/run");
  return JSON.parse(arg) as ChildConfig;
}

/** Sends a message to the harness. */
export function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Calls `handler` for every message from the harness. */
export function onParent(handler: (message: ParentMessage) => void): void {
  process.on("message", (m) => handler(m as ParentMessage));
}

/** CPU used so far and peak RSS. */
export function usage(): Usage {
  const cpu = process.cpuUsage();
  return { cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What one measured window took: wall time and this process's CPU and peak memory in it. */
export interface Window {
  windowMs: number;
  usage: Usage;
}

/**
 * Warms up, then measures one window: `measuring(true)` at its start and `measuring(false)` at
 * its end, with the harness told both edges (it samples the server's usage between them).
 */
export async function measureWindow(warmupMs: number, windowMs: number, measuring: (on: boolean) => void): Promise<Window> {
  await sleep(warmupMs);
  const before = usage();
  const start = performance.now();
  measuring(true);
  send({ type: "mark", edge: "start" });
  await sleep(windowMs);
  measuring(false);
  const elapsed = performance.now() - start;
  const after = usage();
  send({ type: "mark", edge: "end" });
  return { windowMs: elapsed, usage: { cpuUs: after.cpuUs - before.cpuUs, maxRssKb: after.maxRssKb } };
}

/** Runs `main`; reports a failure and exits on errors, and exits when the harness disconnects. */
export function runChild(main: () => Promise<void>): void {
  if (!process.send) throw new Error("must be forked with an IPC channel");
  process.on("disconnect", () => process.exit(0));
  const fail = (err: unknown): void => {
    send({ type: "failed", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    setTimeout(() => process.exit(1), 100);
  };
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
  main().catch(fail);
}
