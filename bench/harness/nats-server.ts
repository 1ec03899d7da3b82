import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { track } from "./children";

// The nats-server the NATS rows share: Debian's package, on 127.0.0.1 and a port it picks
// itself (-p -1), with JetStream in a temp store (for the at-least-once rows), killed with the
// other children.

/** A running nats-server. */
export interface NatsServer {
  url: string;
  pid: number;
  /** CPU seconds it has used so far (from /proc; 0 where unavailable). */
  cpuSeconds(): number;
  stop(): void;
}

/**
 * Deletes every JetStream stream on the server. A stream the at-least-once row made captures its
 * subject, which every pub/sub row shares: left in place, every later core publish on it
 * (raw NATS's, NestJS's, tsmicro's) would also be stored, and those rows would measure that.
 */
export async function deleteStreams(url: string): Promise<string[]> {
  const { connect } = await import("nats");
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    const names: string[] = [];
    for await (const info of jsm.streams.list()) names.push(info.config.name);
    for (const name of names) await jsm.streams.delete(name);
    return names;
  } finally {
    await nc.close();
  }
}

/** The nats-server binary on PATH (or in /usr/sbin, where Debian puts it), or undefined. */
export function findNatsServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  return dirs.map((d) => join(d, "nats-server")).find((p) => existsSync(p));
}

/** Starts nats-server on 127.0.0.1 and resolves once it accepts clients. */
export function startNatsServer(bin: string, timeoutMs = 10_000): Promise<NatsServer> {
  const store = mkdtempSync(join(tmpdir(), "bench-nats-"));
  const child = track(spawn(bin, ["-a", "127.0.0.1", "-p", "-1", "-js", "-sd", store], { stdio: ["ignore", "ignore", "pipe"] }));
  const removeStore = (): void => rmSync(store, { recursive: true, force: true });
  child.once("exit", removeStore);
  // The suite may exit before the killed server's exit event arrives.
  process.once("exit", removeStore);
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`nats-server exited with ${code}:\n${log}`)));
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
      if (!m) return;
      clearTimeout(timer);
      child.stderr!.removeAllListeners("data").resume();
      child.removeAllListeners("exit");
      child.once("exit", removeStore);
      const pid = child.pid!;
      resolve({
        url: `nats://127.0.0.1:${m[1]}`,
        pid,
        cpuSeconds: () => procCpuSeconds(pid),
        stop: () => void child.kill("SIGKILL"),
      });
    });
  });
}

/** utime + stime of `pid` in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
