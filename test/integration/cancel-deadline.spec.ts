import { randomUUID } from "node:crypto";
import { connect, createServer, type Server, type Socket as NetSocket } from "node:net";
import { ErrorIds, HttpTransport, MemoryRegistry, RegistrySelector, RpcClient, TcpTransport, type Transport } from "../../src";
import { startProcess, type Child } from "../helpers/processes";

// Regression: a 100 ms call to a node that never completed a connect waited for the 5 s dial
// timeout before failing. Every address here is on loopback.

// A listener that never accepts, with a backlog of 0: one connection fills its accept queue and
// Linux then drops further SYNs, so later connects never complete (verified on these machines).
const NEVER_ACCEPTS = [
  "import socket, sys, time",
  "s = socket.socket()",
  "s.bind(('127.0.0.1', 0))",
  "s.listen(0)",
  "print(s.getsockname()[1], flush=True)",
  "time.sleep(300)",
].join("\n");

let child: Child;
let blackhole = "";
const fillers: NetSocket[] = [];
let silent: Server;
let silentAddress = "";
const silentConns = new Set<NetSocket>();

beforeAll(async () => {
  child = startProcess("/usr/bin/python3", ["-c", NEVER_ACCEPTS]);
  const port = Number((await child.waitFor(/^(\d+)$/m, 10_000))[1]);
  blackhole = `127.0.0.1:${port}`;
  // Fill the accept queue: this first connect completes, the ones after it do not.
  const filler = connect({ host: "127.0.0.1", port });
  filler.on("error", () => undefined);
  fillers.push(filler);
  await new Promise<void>((resolve) => filler.once("connect", () => resolve()));
  // A node that accepts and reads every byte but never answers.
  silent = createServer((conn) => {
    silentConns.add(conn);
    conn.on("error", () => undefined);
    conn.on("data", () => undefined);
    conn.on("close", () => silentConns.delete(conn));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const a = silent.address();
  silentAddress = typeof a === "object" && a ? `127.0.0.1:${a.port}` : "";
});

afterAll(async () => {
  for (const f of fillers) f.destroy();
  for (const c of silentConns) c.destroy();
  await new Promise((resolve) => silent.close(resolve));
  child.process.kill("SIGKILL"); // by PID: the child we started
  await child.exited;
});

async function timeCall(transport: Transport, address: string): Promise<{ ms: number; error: unknown }> {
  const registry = new MemoryRegistry();
  const name = `deadline-${randomUUID()}`;
  await registry.register({ name, version: "1", endpoints: [], nodes: [{ id: "n1", address, metadata: { transport: transport.name } }] });
  const selector = new RegistrySelector({ registry });
  // Default dial timeout (5 s): the call's own 100 ms budget must win.
  const client = new RpcClient({ selector, transport, retries: 0 });
  const started = Date.now();
  const error = await client.call(name, "Svc.Do", {}, { timeoutMs: 100 }).catch((e: unknown) => e);
  const ms = Date.now() - started;
  await client.close();
  await selector.close();
  await transport.close();
  return { ms, error };
}

describe.each([
  ["tcp", (): Transport => new TcpTransport()],
  ["http", (): Transport => new HttpTransport()],
])("a 100 ms call over %s", (_name, make) => {
  it("to an address whose connect never completes fails with 408 in about 100 ms", async () => {
    const { ms, error } = await timeCall(make(), blackhole);
    expect(error).toMatchObject({ code: 408, id: ErrorIds.timeout });
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(1000);
  });

  it("to a node that accepts but never answers fails with 408 in about 100 ms", async () => {
    const { ms, error } = await timeCall(make(), silentAddress);
    expect(error).toMatchObject({ code: 408, id: ErrorIds.timeout });
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(1000);
  });
});
