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
