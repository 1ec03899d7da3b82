import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorIds, SilentLogger, createClient, type Node, type StandaloneClient, type Strategy } from "../../src";
import { ROOT, killAll, startProcess, childEnv, type Child } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// "Retries that never run a handler twice by accident", with real processes: a node is SIGKILLed
// while its handler runs. The request was sent, so the handler may have run: a non-idempotent
// endpoint must NOT be retried (it runs once, the call fails with tsmicro.connection_lost); an
// endpoint declared @Handler({ idempotent: true }) is retried on another node.
/** A service written in plain JS against dist/: with BLOCK=1 its handlers never answer. */
const service = (NAME: string): string => `
const { Service, Handler, Module, bootstrap } = require(${JSON.stringify(join(ROOT, "dist", "src", "index.js"))});
class Payments {
  async charge(req) { return this.run("Payments.Charge", req); }
  async lookup(req) { return this.run("Payments.Lookup", req); }
  run(endpoint, req) {
    process.stdout.write("ran " + endpoint + " " + JSON.stringify(req) + "\\n");
    if (process.env.BLOCK === "1") return new Promise(() => undefined);
    return Promise.resolve({ servedBy: process.pid });
  }
}
Handler("Payments.Charge", { validate: false })(Payments.prototype, "charge");
Handler("Payments.Lookup", { validate: false, idempotent: true })(Payments.prototype, "lookup");
Service(${JSON.stringify(NAME)})(Payments);
class AppModule {}
Module({ services: [Payments] })(AppModule);
bootstrap(AppModule).then((s) => console.log("ready at " + s.server.address));
`;

describe.each(["tcp", "http"])("a node SIGKILLed mid-call (%s transport, mDNS on loopback, real processes)", (transport) => {
  const NAME = `sigkill-${transport}-${randomUUID().slice(0, 8)}`;
  let dir: string;
  let standalone: StandaloneClient;
  const nodes: Record<"blockA" | "blockB" | "healthy", { child: Child; address: string }> = {} as never;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tsmicro-sigkill-"));
    const script = join(dir, "payments.js");
    writeFileSync(script, service(NAME));
    const start = (block: boolean): Child =>
      startProcess(process.execPath, [script], { env: childEnv({ BLOCK: block ? "1" : "0", MICRO_TRANSPORT: transport }) });
    const children = { blockA: start(true), blockB: start(true), healthy: start(false) };
    for (const [k, child] of Object.entries(children)) {
      const [, address] = await child.waitFor(/ready at (\S+)/);
      nodes[k as keyof typeof nodes] = { child, address: address! };
    }
    standalone = await createClient({ argv: [], env: { MICRO_BROKER: "memory", MICRO_TRANSPORT: transport }, logger: new SilentLogger() });
    await waitFor(async () => (await standalone.registry.getService(NAME)).flatMap((s) => s.nodes).length === 3, 10_000, "three nodes registered");
  }, 30_000);

  afterAll(async () => {
    await standalone?.close();
    await killAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Sends the first attempt to `first`, any retry to the healthy node. */
  const prefer = (first: string): Strategy => () => (candidates: readonly Node[]) =>
    candidates.find((n) => n.address === first) ?? candidates.find((n) => n.address === nodes.healthy.address) ?? candidates[0]!;

  const ran = (child: Child, endpoint: string): number => child.stdout().split("\n").filter((l) => l.startsWith(`ran ${endpoint}`)).length;

  it("runs a non-idempotent handler once: the call fails with 503 tsmicro.connection_lost and is not retried", async () => {
    const { blockA, healthy } = nodes;
    const call = standalone.client.call(NAME, "Payments.Charge", { amount: 5 }, { timeoutMs: 15_000, select: { strategy: prefer(blockA.address) } });
    call.catch(() => undefined);
    await blockA.child.waitFor(/ran Payments\.Charge/);
    blockA.child.process.kill("SIGKILL");
    await expect(call).rejects.toMatchObject({ code: 503, id: ErrorIds.connectionLost });
    expect(ran(blockA.child, "Payments.Charge")).toBe(1);
    expect(ran(healthy.child, "Payments.Charge")).toBe(0);
  }, 30_000);

  it("retries an idempotent handler on another node", async () => {
    const { blockB, healthy } = nodes;
    const call = standalone.client.call(NAME, "Payments.Lookup", { id: 7 }, { timeoutMs: 15_000, select: { strategy: prefer(blockB.address) } });
    await blockB.child.waitFor(/ran Payments\.Lookup/);
    blockB.child.process.kill("SIGKILL");
    await expect(call).resolves.toEqual({ servedBy: healthy.child.pid });
    expect(ran(blockB.child, "Payments.Lookup")).toBe(1);
    expect(ran(healthy.child, "Payments.Lookup")).toBe(1);
  }, 30_000);
});
