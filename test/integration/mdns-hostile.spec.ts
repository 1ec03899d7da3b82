import type { MulticastDNS, QueryPacket } from "multicast-dns";
import {
  Broker,
  Handler,
  MdnsRegistry,
  MemoryBroker,
  Module,
  Registry,
  Service,
  SilentLogger,
  createClient,
  createService,
  type MicroService,
  type ServiceRecord,
  type StandaloneClient,
} from "../../src";
import { nodeAnswers, toLocalNodes, type LocalNode } from "../../src/registry/mdns/records";
import { uniqueName } from "../contract/registry.contract";
import { destroyPeer, rawPeer } from "../helpers/mdns-peer";
import { waitFor } from "../helpers/wait";

// mDNS has no authentication: any local process can say goodbye for someone else's node or
// advertise nodes that do not exist. These tests play that process against a real service and
// client (separate mDNS sockets in one process, loopback only, unique service names).
delete process.env.MICRO_MDNS_INTERFACE;

@Service("hostile-echo")
class Echo {
  @Handler({ validate: false })
  async ping(): Promise<{ ok: boolean }> {
    return { ok: true };
  }
}

@Module({ services: [Echo] })
class EchoModule {}

interface Outcome {
  ok: number;
  failed: Map<string, number>; // "code id" → count
}

/** Calls `svc` back to back until `stop` resolves; counts successes and failures by code. */
async function callUntil(c: StandaloneClient, svc: string, stop: Promise<void>): Promise<Outcome> {
  let done = false;
  void stop.then(() => (done = true));
  const out: Outcome = { ok: 0, failed: new Map() };
  while (!done) {
    try {
      await c.client.call(svc, "Echo.Ping", {});
      out.ok++;
    } catch (err) {
      const e = err as { code?: number; id?: string };
      const key = `${e.code} ${e.id}`;
      out.failed.set(key, (out.failed.get(key) ?? 0) + 1);
    }
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("mDNS under a hostile local process", () => {
  const logger = new SilentLogger();
  let svc: string;
  let serverRegistry: MdnsRegistry;
  let clientRegistry: MdnsRegistry;
  let service: MicroService;
  let client: StandaloneClient;
  let attacker: MulticastDNS | undefined;
  let record: ServiceRecord;

  beforeEach(async () => {
    svc = uniqueName("hostile");
    serverRegistry = new MdnsRegistry({ logger });
    clientRegistry = new MdnsRegistry({ logger });
    const broker = new MemoryBroker();
    @Module({ imports: [EchoModule], providers: [{ provide: Registry, useValue: serverRegistry }, { provide: Broker, useValue: broker }] })
    class App {}
    service = createService(App, { argv: [`--server_name=${svc}`], env: {}, logger });
    await service.start();
    // The first lookup can miss the answer while this one process is still busy starting the
    // service (the answer comes from the same event loop), so wait until the node is seen.
    [record] = await waitFor(async () => {
      const r = await clientRegistry.getService(svc);
      return r.length > 0 && r;
    }, 5000, "the service in the registry");
    client = await createClient({ argv: [], env: {}, logger, registry: clientRegistry, broker });
    await expect(client.client.call(svc, "Echo.Ping", {})).resolves.toEqual({ ok: true });
  });

  afterEach(async () => {
    if (attacker) await destroyPeer(attacker);
    attacker = undefined;
    await client.close();
    await service.stop();
    await clientRegistry.close();
    await serverRegistry.close();
  });

  // Regression: goodbyes forged at 50/s made 380 of 903 calls fail with 404, and `micro get
  // service` answer 404, while the node was up.
  it("forged goodbyes for a live node at 50/s fail no call and never hide the node from getService", async () => {
    attacker = await rawPeer();
    const [node] = toLocalNodes(record!, "micro");
    const goodbye = nodeAnswers(node!, "micro", 0);
    const flood = setInterval(() => attacker?.respond({ answers: goodbye }), 20);
    let lookups = 0;
    let missing = 0;
    try {
      const stop = sleep(3000);
      const calls = callUntil(client, svc, stop);
      let done = false;
      void stop.then(() => (done = true));
      const lookupLoop = (async () => {
        while (!done) {
          const found = await clientRegistry.getService(svc);
          lookups++;
          if (!found.some((r) => r.nodes.some((n) => n.id === node!.record.nodes[0]!.id))) missing++;
        }
      })();
      const [outcome] = await Promise.all([calls, lookupLoop]);
      expect({ ok: outcome.ok > 100, failed: Object.fromEntries(outcome.failed) }).toEqual({ ok: true, failed: {} });
    } finally {
      clearInterval(flood);
    }
    expect(lookups).toBeGreaterThan(10);
    expect(missing).toBe(0);
  });

  it("a responder advertising 200 bogus nodes for the service fails no call of a running client", async () => {
    attacker = await rawPeer();
    const port = 1; // tcpmux: nothing listens there, so every connection is refused at once
    const fakes: LocalNode[] = toLocalNodes(
      { ...record!, nodes: Array.from({ length: 200 }, (_, i) => ({ id: `rogue-${i}`, address: `127.0.0.1:${port}`, metadata: {} })) },
      "micro",
    );
    // 25 nodes a packet: 200 one-node packets at once overflow the receivers' socket buffers.
    const advertise = (): void => {
      for (let i = 0; i < fakes.length; i += 25) attacker?.respond({ answers: fakes.slice(i, i + 25).flatMap((f) => nodeAnswers(f, "micro", 120)) });
    };
    // The rogue answers every query for the service too, as a real responder would.
    attacker.on("query", (q: QueryPacket) => q.questions.some((x) => x.name.toLowerCase() === `${svc}.micro`) && advertise());
    advertise();
    await waitFor(async () => (await clientRegistry.getService(svc)).flatMap((r) => r.nodes).length > 200, 5000, "the bogus nodes in the registry");
    const outcome = await callUntil(client, svc, sleep(3000));
    expect({ ok: outcome.ok > 50, failed: Object.fromEntries(outcome.failed) }).toEqual({ ok: true, failed: {} });
  });
});
