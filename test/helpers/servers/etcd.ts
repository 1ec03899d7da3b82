import { mkdtemp, rm } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports";
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


/** PEM files for a TLS test: a CA, a server certificate for 127.0.0.1, and a client certificate (CN "root"). */
export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Makes a throwaway CA and certificates in `dir` with openssl (EC keys, valid one day). */
export function makeTestCertificates(dir: string): TestCertificates {
  const f = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "1", "-subj", "/CN=tsmicro-test-ca");
  writeFileSync(f("ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
  for (const [name, cn] of [["server", "127.0.0.1"], ["client", "root"]] as const) {
    ssl("req", ...ec, "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", `/CN=${cn}`);
    ssl("x509", "-req", "-in", f(`${name}.csr`), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${name}.pem`), "-days", "1", "-extfile", f("ext"));
  }
  return { ca: f("ca.pem"), serverCert: f("server.pem"), serverKey: f("server.key"), clientCert: f("client.pem"), clientKey: f("client.key") };
}

/** How {@link startEtcd} runs the server. */
export interface EtcdStartOptions {
  /** Serve clients over TLS with these files, requiring a client certificate signed by the CA. */
  tls?: TestCertificates;
}

/** True once `GET /health` on the client port says the server is healthy. */
function healthy(port: number, tls?: TestCertificates): Promise<boolean> {
  return new Promise((resolve) => {
    const opts = { host: "127.0.0.1", port, path: "/health", timeout: 500 };
    const onResponse = (res: IncomingMessage): void => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(res.statusCode === 200 && body.includes('"true"')));
    };
    const req = tls
      ? httpsRequest({ ...opts, ca: readFileSync(tls.ca), cert: readFileSync(tls.clientCert), key: readFileSync(tls.clientKey) }, onResponse)
      : request(opts, onResponse);
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function untilHealthy(child: Child, port: number, tls: TestCertificates | undefined, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | undefined;
  void child.exited.then((code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`etcd exited ${exited} before it was ready: ${child.stderr().slice(-2000)}`);
    if (await healthy(port, tls)) return;
    if (Date.now() > deadline) throw new Error(`etcd not healthy on 127.0.0.1:${port} within ${timeoutMs} ms: ${child.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts etcd (the Debian `etcd-server` binary) on two free loopback ports with a fresh data dir. */
export async function startEtcd(options: EtcdStartOptions = {}): Promise<EtcdServer> {
  const { tls } = options;
  const dataDir = await mkdtemp(join(tmpdir(), "tsmicro-etcd-"));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `${tls ? "https" : "http"}://127.0.0.1:${clientPort}`;
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
    ...(tls ? ["--cert-file", tls.serverCert, "--key-file", tls.serverKey, "--trusted-ca-file", tls.ca, "--client-cert-auth"] : []),
  ];
  let child: Child | undefined;
  let stopped = false;
  const launch = async (): Promise<void> => {
    child = startProcess("etcd", args);
    await untilHealthy(child, clientPort, tls);
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
