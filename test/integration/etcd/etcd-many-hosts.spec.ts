import { RpcClient, SilentLogger, createClient, type StandaloneClient } from "../../../src";
import { uniqueName } from "../../contract/registry.contract";
import { CountingSelector, load } from "../../helpers/load";
import { killAll, startNode, type Child } from "../../helpers/processes";
import { startEtcd, type EtcdServer } from "../../helpers/servers/etcd";
import { waitFor } from "../../helpers/wait";

// Three hosts simulated on one machine: greeter processes (from dist/) bound and advertised on
// 127.0.0.2, 127.0.0.3 and 127.0.0.4 (every 127/8 address is local), found through a real etcd.

const NAME = uniqueName("greeter-hosts");
const TTL_S = 3;
const HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"] as const;

let etcd: EtcdServer;
let standalone: StandaloneClient;
let selector: CountingSelector;
let client: RpcClient;
const nodes = new Map<string, { child: Child; address: string }>();

const addresses = async (): Promise<string[]> => (await standalone.registry.getService(NAME)).flatMap((s) => s.nodes.map((n) => n.address)).sort();

beforeAll(async () => {
  etcd = await startEtcd();
  const flags = ["--registry=etcd", `--registry_address=${etcd.address}`, "--broker=memory", `--server_name=${NAME}`, `--register_ttl=${TTL_S}`, "--register_interval=1"];
  await Promise.all(
    HOSTS.map(async (host) => {
      const child = startNode("samples/greeter/service.js", [...flags, `--server_address=${host}:0`]);
      const address = (await child.waitFor(/ready at (\S+)/))[1]!;
      nodes.set(host, { child, address });
    }),
  );
  standalone = await createClient({ argv: ["--registry=etcd", `--registry_address=${etcd.address}`, "--broker=memory"], env: {}, logger: new SilentLogger() });
  selector = new CountingSelector({ registry: standalone.registry });
  client = new RpcClient({ selector, transport: standalone.transport });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await selector?.close();
  await standalone?.close();
  await killAll();
  await etcd?.stop();
});

describe("many hosts on one machine, through etcd", () => {
  it("registers each node at its own loopback address", async () => {
    for (const host of HOSTS) expect(nodes.get(host)!.address).toMatch(new RegExp(`^${host.replaceAll(".", "\\.")}:\\d+$`));
    expect(await addresses()).toEqual([...nodes.values()].map((n) => n.address).sort());
  });

  it("spreads calls over all three, and keeps every call working while one node is SIGTERMed and one SIGKILLed", async () => {
    const l = load(client, NAME, 2);
    const served = (address: string): number => selector.served.get(address) ?? 0;
    await waitFor(() => HOSTS.every((h) => served(nodes.get(h)!.address) > 10), 15_000, "calls on all three nodes");

    // SIGTERM: the node deregisters before it exits, so it is gone from etcd the moment it has exited.
    const term = nodes.get("127.0.0.2")!;
    term.child.process.kill("SIGTERM");
    expect(await term.child.exited).toBe(0);
    expect(await addresses()).not.toContain(term.address);

    // SIGKILL: nothing deregisters; the key stays until its lease (the registration TTL) runs out.
    const killed = nodes.get("127.0.0.3")!;
    process.kill(killed.child.pid, "SIGKILL");
    await killed.child.exited;
    const killedAt = Date.now();
    expect(await addresses()).toContain(killed.address);
    await waitFor(async () => !(await addresses()).includes(killed.address), (TTL_S + 3) * 1000, "the killed node's lease to end");
    const leftAfterMs = Date.now() - killedAt;
    expect(leftAfterMs).toBeLessThan((TTL_S + 3) * 1000);

    // Calls go on, now all on the survivor.
    const survivor = nodes.get("127.0.0.4")!.address;
    const mark = served(survivor);
    await waitFor(() => served(survivor) > mark + 100, 10_000, "calls continuing on 127.0.0.4");
    const { ok, failed } = await l.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(200);
    expect(await addresses()).toEqual([survivor]);
  }, 60_000);
});
