import { createClient, SilentLogger, type StandaloneClient } from "../../src";
import { ConsulTestServer } from "../helpers/consul-server";
import { killAll, startNode, type Child } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// "Many hosts, simulated on one machine", through the Consul test server: three greeter
// processes (built dist/) bound and advertised on 127.0.0.2, .3 and .4, and a client in this
// process. Needs `npx tsc -p tsconfig.build.json` first.

const HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
const TTL_S = 3;

describe("three greeter nodes on three loopback addresses, through the Consul test server", () => {
  let server: ConsulTestServer;
  let client: StandaloneClient;
  const nodes: { host: string; child: Child; address: string }[] = [];
  const flags = (): string[] => ["--registry=consul", `--registry_address=${server.address}`, "--broker=memory", `--register_ttl=${TTL_S}s`, "--register_interval=1s"];

  beforeAll(async () => {
    server = await ConsulTestServer.start();
    for (const host of HOSTS) {
      const child = startNode("samples/greeter/service.js", [...flags(), `--server_address=${host}:0`], { MICRO_LOG_LEVEL: "debug" });
      const [, address] = await child.waitFor(/greeter ready at (\S+)/);
      nodes.push({ host, child, address: address! });
    }
    client = await createClient({ argv: flags(), env: {}, logger: new SilentLogger() });
  }, 60_000);

  const afterStop: (() => void)[] = [];
  afterAll(async () => {
    afterStop.forEach((f) => f());
    await client?.close();
    await killAll();
    await server?.close();
  });

  const healthy = async (): Promise<string[]> => (await client.registry.getService("greeter")).flatMap((s) => s.nodes.map((n) => n.address)).sort();
  const served = (child: Child): number => child.stderr().split("\n").filter((l) => l.includes('"msg":"hello"')).length;

  it("advertises each node on its own loopback address", async () => {
    expect(nodes.map((n) => n.address.split(":")[0])).toEqual(HOSTS);
    await waitFor(async () => (await healthy()).length === 3, 10_000, "three healthy nodes");
    expect((await healthy()).map((a) => a.split(":")[0])).toEqual(HOSTS);
  });

  it("spreads calls over all three; a SIGTERMed node leaves at once, a SIGKILLed one when its TTL check goes critical; calls continue", async () => {
    const call = (): Promise<unknown> => client.client.call("greeter", "Greeter.Hello", { name: "many" });
    for (let i = 0; i < 60; i++) await call();
    expect(nodes.map((n) => served(n.child) > 0)).toEqual([true, true, true]);

    // Calls keep running in the background through both departures.
    let ok = 0;
    const failures: unknown[] = [];
    let running = true;
    afterStop.push(() => (running = false));
    const loop = (async () => {
      while (running) {
        await call().then(() => (ok += 1), (e: unknown) => failures.push(e));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const [term, kill] = [nodes[0]!, nodes[1]!];
    term.child.process.kill("SIGTERM");
    expect(await term.child.exited).toBe(0);
    // Deregistered before exiting: gone from the agent the moment the process is.
    expect((await healthy()).some((a) => a === term.address)).toBe(false);
    expect(server.state.serviceIds()).toHaveLength(2);

    kill.child.process.kill("SIGKILL");
    await kill.child.exited;
    const killedAt = Date.now();
    expect(await healthy()).toContain(kill.address); // nobody deregistered it: its TTL check is still passing
    await waitFor(async () => !(await healthy()).includes(kill.address), (TTL_S + 3) * 1000, "the SIGKILLed node's check to go critical");
    // Its last renewal was at most one interval (1 s) before the kill, so it stayed listed for at least TTL - 1 s.
    expect(Date.now() - killedAt).toBeGreaterThan((TTL_S - 1.5) * 1000);
    // Consul itself drops it only after DeregisterCriticalServiceAfter (go-micro's max(TTL, 1m) + 5s); until then it is critical, not listed.
    expect(server.state.serviceIds()).toHaveLength(2);

    const before = ok;
    await waitFor(() => ok > before + 10, 5000, "calls continuing on the last node");
    running = false;
    await loop;
    expect(failures).toEqual([]);
    expect(await healthy()).toEqual([nodes[2]!.address]);
  }, 60_000);
});
