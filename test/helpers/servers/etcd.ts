import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess, type Child } from "../processes";

/** A real etcd server started by a test: loopback only, random ports, a temp data dir, killed by PID. */
export interface EtcdServer {
  /** `127.0.0.1:<client port>`, as `--registry_address` takes it. */
  readonly address: string;
  readonly dataDir: string;
  /** The running process's PID (changes on restart). */
  pid(): number;
  /** SIGKILLs the server (no clean shutdown) and waits for it to exit; the data dir stays. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data dir and waits until it answers. */
  restart(): Promise<void>;
  /** Kills it and removes the data dir; idempotent. */
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** True once `GET /health` on the client port says the server is healthy. */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/health", timeout: 500 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(res.statusCode === 200 && body.includes('"true"')));
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function untilHealthy(child: Child, port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | undefined;
  void child.exited.then((code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`etcd exited ${exited} before it was ready: ${child.stderr().slice(-2000)}`);
    if (await healthy(port)) return;
    if (Date.now() > deadline) throw new Error(`etcd not healthy on 127.0.0.1:${port} within ${timeoutMs} ms: ${child.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts etcd (the Debian `etcd-server` binary) on two free loopback ports with a fresh data dir. */
export async function startEtcd(): Promise<EtcdServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "tsmicro-etcd-"));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name", "n",
    "--data-dir", dataDir,
    "--listen-client-urls", client,
    "--advertise-client-urls", client,
    "--listen-peer-urls", peer,
    "--initial-advertise-peer-urls", peer,
    "--initial-cluster", `n=${peer}`,
    "--logger", "zap",
    "--log-level", "error",
  ];
  let child: Child | undefined;
  let stopped = false;
  const launch = async (): Promise<void> => {
    child = startProcess("etcd", args);
    await untilHealthy(child, clientPort);
  };
  const kill = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c) return;
    if (c.process.exitCode === null && c.process.signalCode === null) {
      process.kill(c.pid, "SIGKILL");
      await c.exited;
    }
  };
  try {
    await launch();
  } catch (err) {
    await kill();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    address: `127.0.0.1:${clientPort}`,
    dataDir,
    pid: () => child?.pid ?? -1,
    kill,
    restart: async () => {
      if (stopped) throw new Error("etcd helper already stopped");
      await kill();
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
