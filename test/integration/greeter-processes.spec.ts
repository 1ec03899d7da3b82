import { randomUUID } from "node:crypto";
import { RpcClient, SilentLogger, createClient, type StandaloneClient } from "../../src";
import { CountingSelector, load } from "../helpers/load";
import { killAll, runNode, startNode, type Child } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// Real processes: greeter services discovered over mDNS on loopback, called by this process
// and by the `micro` CLI. Each run uses its own service name so runs cannot see each other.
const NAME = `greeter-${randomUUID().slice(0, 8)}`;
const TTL_S = 3;
const env = { MICRO_SERVER_NAME: NAME, MICRO_REGISTER_TTL: String(TTL_S), MICRO_REGISTER_INTERVAL: "1" };

function startGreeter(): Child {
  return startNode("samples/greeter/service.js", [], env);
}

describe("greeter across processes (mDNS on loopback)", () => {
  let standalone: StandaloneClient;
  let selector: CountingSelector;
  let client: RpcClient;
  let a: Child;
  let b: Child;

  beforeAll(async () => {
    a = startGreeter();
    b = startGreeter();
    await Promise.all([a.waitFor(/ready at (\S+)/), b.waitFor(/ready at (\S+)/)]);
    standalone = await createClient({ argv: [], env: { MICRO_BROKER: "memory" }, logger: new SilentLogger() });
    selector = new CountingSelector({ registry: standalone.registry });
    client = new RpcClient({ selector, transport: standalone.transport });
    await waitFor(async () => (await standalone.registry.getService(NAME)).flatMap((s) => s.nodes).length === 2, 10_000, "two nodes registered");
  });

  afterAll(async () => {
    await client?.close();
    await selector?.close();
    await standalone?.close();
    await killAll();
  });

  it("spreads calls over both nodes", async () => {
    for (let i = 0; i < 40; i++) await expect(client.call(NAME, "Greeter.Hello", { name: "John" })).resolves.toEqual({ greeting: "Hello John" });
    const [addrA, addrB] = [/ready at (\S+)/.exec(a.stdout())![1]!, /ready at (\S+)/.exec(b.stdout())![1]!];
    expect(selector.served.get(addrA)).toBeGreaterThan(0);
    expect(selector.served.get(addrB)).toBeGreaterThan(0);
  });

  it("works from the micro CLI: call, list services, get service, health", async () => {
    const call = await runNode("src/cli/main.js", ["call", NAME, "Greeter.Hello", '{"name":"John"}']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ greeting: "Hello John" });

    const bad = await runNode("src/cli/main.js", ["call", NAME, "Greeter.Hello", '{"name":""}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("400");
    expect(bad.stderr).toContain("name");

    const list = await runNode("src/cli/main.js", ["list", "services"]);
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")).toContain(NAME);

    const get = await runNode("src/cli/main.js", ["get", "service", NAME]);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain("Endpoint: Greeter.Hello");
    expect(get.stdout).toContain("name string");
    expect(get.stdout).not.toContain("Debug.Health");

    const health = await runNode("src/cli/main.js", ["health", NAME]);
    expect(health.code).toBe(0);
    expect(health.stdout.trim().split("\n")).toHaveLength(2);
    expect(health.stdout).toMatch(/\tok$/m);
  });

  it("loses no call when a node is stopped with SIGTERM under load, and it exits 0", async () => {
    const l = load(client, NAME);
    await waitFor(() => selector.served.size > 0);
    const before = [...selector.served.values()].reduce((x, y) => x + y, 0);
    await waitFor(() => [...selector.served.values()].reduce((x, y) => x + y, 0) > before + 50);
    a.process.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    const after = [...selector.served.values()].reduce((x, y) => x + y, 0);
    await waitFor(() => [...selector.served.values()].reduce((x, y) => x + y, 0) > after + 100);
    const { ok, failed } = await l.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(150);
  });

  it("recovers on the surviving node after SIGKILL, and the dead node leaves the registry within its TTL", async () => {
    const c = startGreeter();
    const cAddr = (await c.waitFor(/ready at (\S+)/))[1]!;
    await waitFor(async () => (await standalone.registry.getService(NAME)).flatMap((s) => s.nodes).some((n) => n.address === cAddr), 10_000);
    const deleted: string[] = [];
    const watcher = await standalone.registry.watch((e) => {
      if (e.action === "delete") deleted.push(...e.service.nodes.map((n) => n.address));
    }, { service: NAME });
    const l = load(client, NAME);
    await waitFor(() => (selector.served.get(cAddr) ?? 0) > 20, 10_000, "calls reaching the new node");
    const killedAt = Date.now();
    c.process.kill("SIGKILL");
    await c.exited;
    const mark = [...selector.served.values()].reduce((x, y) => x + y, 0);
    await waitFor(() => [...selector.served.values()].reduce((x, y) => x + y, 0) > mark + 100, 10_000, "calls continuing");
    const { failed } = await l.stop();
    expect(failed).toEqual([]);
    // Lookups stop seeing it at once (it no longer answers); watchers drop it when its TTL runs out.
    await waitFor(async () => !(await standalone.registry.getService(NAME)).flatMap((s) => s.nodes).some((n) => n.address === cAddr), (TTL_S + 2) * 1000, "dead node gone from lookups");
    await waitFor(() => deleted.includes(cAddr), (TTL_S + 2) * 1000, "watchers told the dead node is gone");
    expect(Date.now() - killedAt).toBeLessThan((TTL_S + 2) * 1000);
    await watcher.stop();
  });
});
