import { freePort } from "../ports";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "amqplib";

const SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/** A RabbitMQ node run by a test as a child process on random loopback ports. */
export interface RabbitMqServer {
  /** `amqp://guest:guest@127.0.0.1:<port>` (guest may log in over loopback). */
  readonly url: string;
  readonly port: number;
  /** The PID of the Erlang VM (beam.smp), or undefined while it is down. */
  readonly pid: number | undefined;
  /** SIGKILLs the broker (its VM, by PID); `epmd`, the ports and the data dir stay. */
  kill(): Promise<void>;
  /** Starts it again on the same ports with the same data dir (durable queues survive); kills it first if running. */
  restart(): Promise<void>;
  /** Kills the broker and its `epmd` by PID and removes the data dir; idempotent. */
  stop(): Promise<void>;
}


/** The PID of the Erlang VM among the descendants of `root` (the script forks helpers before it execs the VM). */
function findBeam(root: number): number | undefined {
  const parent = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may contain spaces and parentheses: the fields after the last ")" are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  for (const pid of parent.keys()) {
    if (!descends(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.endsWith("/beam.smp")) return pid;
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** The PID of the `epmd` listening on `port`: found by the ERL_EPMD_PORT its broker gave it. */
function epmdPid(port: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!cmdline.split("\0")[0]!.endsWith("/epmd")) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (environ.includes(`ERL_EPMD_PORT=${port}`)) return Number(entry);
    } catch {
      // The process ended while we looked, or it is not ours to read.
    }
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`RabbitMQ test server: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts a RabbitMQ node (Debian's rabbitmq-server, run directly as root) on random loopback
 * ports with a private data dir, and resolves once it answers AMQP. Takes 4–6 s: start one per
 * spec file.
 */
export async function startRabbitMq(options: { readyTimeoutMs?: number } = {}): Promise<RabbitMqServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const base = mkdtempSync(join(tmpdir(), "tsmicro-rabbitmq-"));
  for (const dir of ["home", "mnesia", "log"]) mkdirSync(join(base, dir));
  writeFileSync(join(base, "enabled_plugins"), "[].\n");
  writeFileSync(join(base, "rabbitmq.conf"), "log.console = false\nlog.file.level = warning\n");
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(base, "home"),
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: "127.0.0.1",
    RABBITMQ_NODENAME: `n${port}@localhost`,
    RABBITMQ_MNESIA_BASE: join(base, "mnesia"),
    RABBITMQ_LOG_BASE: join(base, "log"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, "enabled_plugins"),
    RABBITMQ_CONFIG_FILE: join(base, "rabbitmq"),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
  };

  let script: ChildProcess | undefined;
  let scriptExited: Promise<void> = Promise.resolve();
  let beam: number | undefined;
  let output = "";
  let stopped = false;

  const answers = async (): Promise<boolean> => {
    try {
      const conn = await connect(url, { timeout: 1000 });
      await conn.close();
      return true;
    } catch {
      return false;
    }
  };

  const launch = async (): Promise<void> => {
    // The script stays as the VM's parent (it traps signals to stop the VM gracefully); the VM is what we kill.
    const child = spawn(SERVER, [], { cwd: base, env, stdio: ["ignore", "pipe", "pipe"] });
    script = child;
    output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    let exited = false;
    scriptExited = new Promise((resolve) => child.once("exit", () => ((exited = true), resolve())));
    try {
      await until(() => exited || (beam = findBeam(child.pid!)) !== undefined, 20_000, "the Erlang VM to start");
      if (exited) throw new Error(`rabbitmq-server exited at once: ${output}`);
      await until(async () => exited || (await answers()), readyTimeoutMs, `AMQP on port ${port}`);
      if (exited) throw new Error(`rabbitmq-server exited before answering: ${output}`);
    } catch (err) {
      await kill();
      throw err;
    }
  };

  const kill = async (): Promise<void> => {
    if (beam !== undefined && alive(beam)) {
      process.kill(beam, "SIGKILL");
      await until(() => !alive(beam!) || isZombie(beam!), 10_000, `beam ${beam} to die`);
    }
    beam = undefined;
    // The script's `wait` returns once the VM is gone; if it is still there, it goes too.
    if (script !== undefined && script.exitCode === null && script.signalCode === null) {
      const t = setTimeout(() => script?.kill("SIGKILL"), 5000);
      await scriptExited;
      clearTimeout(t);
    }
    script = undefined;
  };

  const server: RabbitMqServer = {
    url,
    port,
    get pid() {
      return beam;
    },
    kill,
    restart: async () => {
      if (stopped) throw new Error("RabbitMQ test server was stopped");
      await kill();
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await kill();
      const epmd = epmdPid(epmdPort);
      if (epmd !== undefined) {
        process.kill(epmd, "SIGKILL");
        await until(() => !alive(epmd) || isZombie(epmd), 5000, `epmd ${epmd} to die`);
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await launch();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** A zombie is dead; only its parent (here init, which adopted the daemon) can reap it. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}
