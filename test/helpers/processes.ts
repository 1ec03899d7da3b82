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
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first stdout match of `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or 128+signal number style: null code → -1). */
  readonly exited: Promise<number>;
}

/** Where and with what environment a command runs. */
export interface SpawnOptions {
  /** Working directory, default the test process's. */
  cwd?: string;
  /** The whole environment, default {@link childEnv}(). */
  env?: NodeJS.ProcessEnv;
  /** Runs it as the leader of a new process group (so a test can signal the group like a terminal's Ctrl-C), default false. */
  group?: boolean;
}

/** The result of a command run to completion. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const live = new Set<ChildProcess>();

/** This process's environment with quiet service logs and `extra` added. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, MICRO_LOG_LEVEL: "warn", ...extra };
}

/** Starts any command with piped output; it is killed by {@link killAll} if still running. */
export function startProcess(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const name = [command, ...args].join(" ");
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? childEnv(), detached: options.group ?? false, stdio: ["ignore", "pipe", "pipe"] });
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
    stderr: () => err,
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
          reject(new Error(`no ${pattern} from ${name} within ${timeoutMs}ms; stdout: ${out}; stderr: ${err}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`${name} exited ${code} before ${pattern}; stderr: ${err}`));
        });
        check();
      }),
  };
}

/** Runs any command to completion (SIGKILLed after `timeoutMs`) and returns its output. */
export async function runProcess(command: string, args: readonly string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  const child = startProcess(command, args, options);
  const timer = setTimeout(() => child.process.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const code = await child.exited;
  clearTimeout(timer);
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/** Starts `node <script> ...args` from dist/, with `env` added to the environment. */
export function startNode(script: string, args: readonly string[] = [], env: Record<string, string> = {}): Child {
  return startProcess(process.execPath, [join(ROOT, "dist", script), ...args], { env: childEnv(env) });
}

/** Runs `node <script> ...args` to completion and returns its output. */
export async function runNode(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runProcess(process.execPath, [join(ROOT, "dist", script), ...args], { env: childEnv(env) });
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
