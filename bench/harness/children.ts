import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { ChildConfig, ChildMessage, ParentMessage } from "../ipc";

// Every process the suite starts goes through here, so all of them can be killed by PID at
// the end, on an error, or on SIGINT/SIGTERM.

const running = new Set<ChildProcess>();

/** Registers a process started elsewhere (nats-server) for killAll. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Kills every process still running, by PID. */
export function killAll(): void {
  for (const child of running) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // Already gone (its exit event not handled yet).
    }
  }
  running.clear();
}

/** Kills the children and exits on SIGINT/SIGTERM and on exit. */
export function killChildrenOnExit(): void {
  process.once("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every child process`);
      killAll();
      process.exit(130);
    });
  }
}

type MessageOf<T extends ChildMessage["type"]> = Extract<ChildMessage, { type: T }>;

interface Waiter {
  type: ChildMessage["type"];
  resolve(message: ChildMessage): void;
  reject(error: Error): void;
}

/** A forked bench process: typed messages in both directions, its output kept for errors. */
export class BenchChild {
  private readonly proc: ChildProcess;
  private readonly inbox: ChildMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly listeners: Array<(m: ChildMessage) => void> = [];
  private output = "";
  private gone?: Error;

  constructor(
    readonly role: "server" | "loadgen" | "streamgen" | "subscriber" | "publisher",
    config: ChildConfig,
    /** The compiled bench directory to run from (a `--baseline` build); default this one. */
    build = join(__dirname, ".."),
  ) {
    this.proc = track(
      fork(join(build, "processes", `${role}.js`), [JSON.stringify(config)], {
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile every child.
        execArgv: (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
        env: { ...process.env, NODE_ENV: "production" },
      }),
    );
    const keep = (chunk: Buffer): void => void (this.output = (this.output + chunk.toString()).slice(-4000));
    this.proc.stdout?.on("data", keep);
    this.proc.stderr?.on("data", keep);
    this.proc.on("message", (m) => this.deliver(m as ChildMessage));
    this.proc.once("exit", (code, signal) => this.fail(new Error(`${role} exited (${signal ?? code})${this.tail()}`)));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  send(message: ParentMessage): void {
    if (this.proc.connected) this.proc.send(message);
  }

  /** Calls `listener` for every message (besides waiters). */
  on(listener: (m: ChildMessage) => void): void {
    this.listeners.push(listener);
  }

  /** The next message of `type` (or one already received), failing on exit, a `failed` message or the timeout. */
  waitFor<T extends ChildMessage["type"]>(type: T, timeoutMs: number): Promise<MessageOf<T>> {
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as MessageOf<T>);
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${this.role}: no "${type}" within ${timeoutMs} ms${this.tail()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        type,
        resolve: (m) => (clearTimeout(timer), resolve(m as MessageOf<T>)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends `message` and waits for the reply of type `reply`. */
  ask<T extends ChildMessage["type"]>(message: ParentMessage, reply: T, timeoutMs = 5_000): Promise<MessageOf<T>> {
    const answer = this.waitFor(reply, timeoutMs);
    this.send(message);
    return answer;
  }

  /**
   * Ends the process: closing the IPC channel makes it exit by itself (so `--cpu-prof` output
   * gets written); one that has not exited after `graceMs` is killed by PID.
   */
  stop(graceMs = 1_500): Promise<void> {
    const proc = this.proc;
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      proc.once("exit", () => (clearTimeout(timer), resolve()));
      if (proc.connected) proc.disconnect();
    });
  }

  private deliver(m: ChildMessage): void {
    if (m.type === "failed") return this.fail(new Error(`${this.role} failed: ${m.error}`));
    for (const l of this.listeners) l(m);
    const i = this.waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else if (m.type !== "mark") this.inbox.push(m);
  }

  private fail(error: Error): void {
    this.gone ??= error;
    for (const w of this.waiters.splice(0)) w.reject(this.gone);
  }

  private tail(): string {
    const text = this.output.trim();
    return text ? `\n--- last output of ${this.role} ---\n${text.split("\n").slice(-15).join("\n")}` : "";
  }
}
