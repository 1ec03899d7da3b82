import type { MulticastDNS, QueryPacket, ResponsePacket } from "multicast-dns";
import { MdnsRegistry } from "../../../src/registry/mdns";
import { instanceAnswers, nodeAnswers, toLocalNodes, type LocalNode } from "../../../src/registry/mdns/records";
import { GOODBYE_GRACE_MS } from "../../../src/registry/mdns/watch-hub";
import type { Registry } from "../../../src/registry/registry";
import { EventLog, makeNode, makeService, uniqueName } from "../../contract/registry.contract";
import { destroyPeer, rawPeer } from "../../helpers/mdns-peer";
import { waitFor } from "../../helpers/wait";

// Tests stay on loopback whatever the machine's environment says.
delete process.env.MICRO_MDNS_INTERFACE;

const goodbye = (node: LocalNode): ResponsePacket["answers"] => nodeAnswers(node, "micro", 0);

/** `p`, or a rejection naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A node that a raw peer advertises and keeps answering queries for, like a live go-micro node would. */
function answerQueriesFor(peer: MulticastDNS, node: LocalNode): void {
  const instance = node.instance.slice(0, -1).toLowerCase();
  const service = `${node.record.name}.micro`.toLowerCase();
  peer.on("query", (q: QueryPacket) => {
    const names = q.questions.map((x) => x.name.toLowerCase());
    if (names.includes(instance)) peer.respond({ answers: instanceAnswers(node, 60) });
    if (names.includes(service)) peer.respond({ answers: nodeAnswers(node, "micro", 60) });
  });
}

describe("mDNS goodbyes (RFC 6762 §10.1)", () => {
  const open: Array<Registry | MulticastDNS> = [];
  const track = <T extends Registry | MulticastDNS>(x: T): T => (open.push(x), x);

  afterEach(async () => {
    for (const x of open.splice(0)) await ("close" in x ? x.close() : destroyPeer(x));
  });

  // Regression: one forged goodbye removed a live node from every watcher (and so from every
  // client's selector) until its next announcement.
  it("keeps a node that still answers the re-query a forged goodbye triggers", async () => {
    const watcher = track(new MdnsRegistry());
    const svc = uniqueName("forged");
    const log = new EventLog();
    await watcher.watch(log.listener, { service: svc });
    const owner = track(await rawPeer()); // answers queries but does not defend itself
    const [node] = toLocalNodes(makeService(svc, "1.0.0", [makeNode("live")]), "micro");
    answerQueriesFor(owner, node!);
    owner.respond({ answers: nodeAnswers(node!, "micro", 60) });
    await log.next((e) => e.action === "create", 5000, "create");

    const forger = track(await rawPeer());
    const requeried = new Promise<void>((resolve) =>
      forger.on("query", (q: QueryPacket) => q.questions.some((x) => x.name.toLowerCase().startsWith(`live.${svc}`)) && resolve()),
    );
    forger.respond({ answers: goodbye(node!) });
    await within(requeried, 3000, "the watcher's re-query");
    // Not synchronisation: the assertion is that the node outlives the grace period a goodbye gives it.
    await new Promise((resolve) => setTimeout(resolve, GOODBYE_GRACE_MS + 500));
    expect(log.events.map((e) => e.action)).toEqual(["create"]);
    expect((await watcher.getService(svc))[0]?.nodes.map((n) => n.id)).toEqual(["live"]);
  });

  it("deletes a node that said goodbye and no longer answers", async () => {
    const watcher = track(new MdnsRegistry());
    const svc = uniqueName("gone");
    const log = new EventLog();
    await watcher.watch(log.listener, { service: svc });
    const owner = track(await rawPeer());
    const [node] = toLocalNodes(makeService(svc, "1.0.0", [makeNode("leaving")]), "micro");
    owner.respond({ answers: nodeAnswers(node!, "micro", 60) });
    await log.next((e) => e.action === "create", 5000, "create");
    owner.respond({ answers: goodbye(node!) });
    const deleted = await log.next((e) => e.action === "delete", 5000, "delete after the goodbye");
    expect(deleted.service.nodes.map((n) => n.id)).toEqual(["leaving"]);
    await waitFor(async () => (await watcher.getService(svc)).length === 0, 5000, "the node gone from getService");
  });

  it("a registry re-announces its own node when someone else says goodbye for it", async () => {
    const owner = track(new MdnsRegistry());
    const svc = uniqueName("defended");
    const service = makeService(svc, "1.0.0", [makeNode("mine")]);
    await owner.register(service);
    const [node] = toLocalNodes(service, "micro");
    const forger = track(await rawPeer());
    const reannounced = new Promise<ResponsePacket>((resolve) =>
      forger.on("response", (p: ResponsePacket) => {
        if (p.answers.some((a) => a.type === "SRV" && a.name.toLowerCase() === node!.instance.slice(0, -1).toLowerCase() && a.ttl! > 0)) resolve(p);
      }),
    );
    forger.respond({ answers: goodbye(node!) });
    const p = await within(reannounced, 3000, "the owner's re-announcement");
    expect(p.answers.map((a) => a.type)).toEqual(["PTR", "SRV", "TXT", "A"]);
  });

  it("getService still returns a node whose answer is followed by a forged goodbye", async () => {
    const owner = track(new MdnsRegistry());
    const client = track(new MdnsRegistry());
    const svc = uniqueName("racing");
    const service = makeService(svc, "1.0.0", [makeNode("n1")]);
    await owner.register(service);
    const [node] = toLocalNodes(service, "micro");
    const forger = track(await rawPeer());
    // The forger answers every query for the service with a goodbye, right after the real answer.
    forger.on("query", (q: QueryPacket) => {
      if (q.questions.some((x) => x.name.toLowerCase() === `${svc}.micro`)) forger.respond({ answers: goodbye(node!) });
    });
    for (let i = 0; i < 5; i++) {
      expect((await client.getService(svc))[0]?.nodes.map((n) => n.id)).toEqual(["n1"]);
    }
  });
});

describe("mDNS: what is kept from the network is bounded", () => {
  const open: Array<Registry | MulticastDNS> = [];
  afterEach(async () => {
    for (const x of open.splice(0)) await ("close" in x ? x.close() : destroyPeer(x));
  });

  it("a watcher tracks at most maxNodes nodes and logs once when it ignores more", async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined, child: () => logger };
    const watcher = new MdnsRegistry({ maxNodes: 3, logger });
    open.push(watcher);
    const svc = uniqueName("bounded");
    const log = new EventLog();
    await watcher.watch(log.listener, { service: svc });
    const peer = await rawPeer();
    open.push(peer);
    const nodes = toLocalNodes(makeService(svc, "1.0.0", ["a", "b", "c", "d", "e"].map((id) => makeNode(id))), "micro");
    // One packet, handled in one go: the first three are tracked, the rest ignored.
    peer.respond({ answers: nodes.flatMap((n) => nodeAnswers(n, "micro", 60)) });
    await waitFor(() => warnings.some((w) => w.includes("maximum number of nodes")), 5000, "the warning");
    expect(log.events.map((e) => e.service.nodes[0]?.id)).toEqual(["a", "b", "c"]);
    peer.on("query", (q: QueryPacket) => {
      if (q.questions.some((x) => x.name.toLowerCase() === `${svc}.micro`)) peer.respond({ answers: nodes.flatMap((n) => nodeAnswers(n, "micro", 60)) });
    });
    const found = await watcher.getService(svc);
    expect(found.flatMap((r) => r.nodes.map((n) => n.id))).toEqual(["a", "b", "c"]);
    expect(warnings.filter((w) => w.includes("maximum number of nodes"))).toHaveLength(1);
  });
});
