import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

/** The repository root (tests run compiled samples from dist/, built by `pretest`). */
export const ROOT = join(__dirname, "..", "..");

/** A child process started by a test, killed by PID in teardown. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves with the first stdout match of `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or 128+signal number style: null code → -1). */
  readonly exited: Promise<number>;
}

const live = new Set<ChildProcess>();

/** Starts `node <script> ...args` from dist/, with `env` added to the environment. */
export function startNode(script: string, args: readonly string[] = [], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [join(ROOT, "dist", script), ...args], {
    env: { ...process.env, MICRO_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
    listeners.forEach((l) => l());
  });
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code ?? -1);
    }),
  );
  return {
    process: child,
    pid: child.pid!,
    stdout: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} from ${script} within ${timeoutMs}ms; stdout: ${out}; stderr: ${err}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`${script} exited ${code} before ${pattern}; stderr: ${err}`));
        });
        check();
      }),
  };
}

/** Runs `node <script> ...args` to completion and returns its output. */
export async function runNode(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, "dist", script), ...args], { env: { ...process.env, MICRO_LOG_LEVEL: "warn", ...env } });
  live.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? -1)));
  live.delete(child);
  return { code, stdout, stderr };
}

/** Kills every child still running (by PID); call from afterAll. */
export async function killAll(): Promise<void> {
  const waits = [...live].map((c) => new Promise<void>((resolve) => {
    c.once("exit", () => resolve());
    c.kill("SIGKILL");
  }));
  await Promise.all(waits);
  live.clear();
}
