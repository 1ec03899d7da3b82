import { createSocket } from "node:dgram";
import { once } from "node:events";
import { inflateSync } from "node:zlib";
import makeMdns from "multicast-dns";
import type { MulticastDNS, ResponsePacket } from "multicast-dns";
import type { LogFields, Logger } from "../../../src/logger/logger";
import { MdnsRegistry, decodeTxt } from "../../../src/registry/mdns";
import { nodeAnswers, toLocalNodes } from "../../../src/registry/mdns/records";
import type { Registry } from "../../../src/registry/registry";
import { EventLog, describeRegistryContract, makeNode, makeService, uniqueName } from "../../contract/registry.contract";
import { waitFor } from "../../helpers/wait";

// Tests stay on loopback whatever the machine's environment says.
delete process.env.MICRO_MDNS_INTERFACE;

describeRegistryContract("mdns", () => new MdnsRegistry());

/** A second, raw mDNS peer pinned to loopback, standing in for another process or a go-micro node. */
async function rawPeer(): Promise<MulticastDNS> {
  const udp = createSocket({ type: "udp4", reuseAddr: true });
  const peer = makeMdns({ socket: udp, interface: "127.0.0.1", bind: "0.0.0.0", loopback: true });
  await once(peer, "ready");
  udp.setMulticastInterface("127.0.0.1");
  return peer;
}

const destroy = (m: MulticastDNS): Promise<void> => new Promise((resolve) => m.destroy(() => resolve()));

/** A Logger that remembers what it was told. */
function recordingLogger(): Logger & { lines: Array<[string, string, LogFields | undefined]> } {
  const lines: Array<[string, string, LogFields | undefined]> = [];
  const log = (level: string) => (msg: string, fields?: LogFields) => void lines.push([level, msg, fields]);
  const logger = { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), child: () => logger };
  return logger;
}

describe("MdnsRegistry", () => {
  const open: Array<Registry | MulticastDNS> = [];
  const track = <T extends Registry | MulticastDNS>(x: T): T => (open.push(x), x);

  afterEach(async () => {
    for (const x of open.splice(0)) await ("close" in x ? x.close() : destroy(x));
  });

  it("lets two registries on separate sockets discover each other", async () => {
    const a = track(new MdnsRegistry());
    const b = track(new MdnsRegistry());
    const svc = uniqueName("pair");
    const log = new EventLog();
    await b.watch(log.listener, { service: svc });
    const service = makeService(svc, "1.0.0", [makeNode("a1"), makeNode("a2")]);
    await a.register(service);

    const found = await waitFor(async () => {
      const r = await b.getService(svc);
      return r[0]?.nodes.length === 2 && r;
    }, 5000, "b to see both of a's nodes");
    expect(found).toHaveLength(1);
    expect(found[0]?.nodes.map((n) => n.id).sort()).toEqual(["a1", "a2"]);
    expect({ ...found[0], nodes: [] }).toEqual({ ...service, nodes: [] });
    expect((await b.listServices()).map((s) => s.name)).toContain(svc);

    await log.next((e) => e.action === "create" && e.service.nodes[0]?.id === "a2", 5000, "create for a2");
    await a.deregister(makeService(svc, "1.0.0", [makeNode("a1")]));
    const deleted = await log.next((e) => e.action === "delete", 5000, "delete for a1");
    expect(deleted.service.nodes.map((n) => n.id)).toEqual(["a1"]);
    await waitFor(async () => (await b.getService(svc))[0]?.nodes.length === 1, 5000, "one node left");
  });

  it("drops a node that vanishes without a goodbye once its record TTL passes", async () => {
    const b = track(new MdnsRegistry());
    const svc = uniqueName("killed");
    const log = new EventLog();
    await b.watch(log.listener, { service: svc });
    const peer = track(await rawPeer());
    const [node] = toLocalNodes(makeService(svc, "1.0.0", [makeNode("k1")]), "micro");
    peer.respond({ answers: nodeAnswers(node!, "micro", 1) }); // 1 s record TTL, never renewed
    await log.next((e) => e.action === "create", 5000, "create");
    const started = Date.now();
    await destroy(peer); // as SIGKILL would: no goodbye
    await log.next((e) => e.action === "delete", 3000, "delete after the record TTL");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await b.getService(svc)).toEqual([]);
  });

  it("keeps a live node whose records outlast no renewal, by re-querying it before they expire", async () => {
    const a = track(new MdnsRegistry({ defaultRecordTtlSeconds: 1 }));
    const b = track(new MdnsRegistry());
    const svc = uniqueName("refresh");
    const log = new EventLog();
    await b.watch(log.listener, { service: svc });
    await a.register(makeService(svc, "1.0.0", [makeNode("r1")]));
    await log.next((e) => e.action === "create", 5000, "create");
    // Not synchronisation: the assertion is that nothing happens across 2.5 record TTLs.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(log.events.map((e) => e.action)).toEqual(["create"]);
  });

  it("answers a go-micro style one-shot query by unicast, echoing the question, with go-micro's TXT", async () => {
    const a = track(new MdnsRegistry());
    const svc = uniqueName("gomicro");
    await a.register(makeService(svc, "latest", [makeNode("g1", { protocol: "mucp" })]));
    const sock = createSocket({ type: "udp4" });
    await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
    sock.setMulticastInterface("127.0.0.1");
    const client = track(makeMdns({ socket: sock, bind: false }));
    const response = new Promise<ResponsePacket>((resolve) => client.on("response", (p: ResponsePacket) => p.id === 4242 && resolve(p)));
    client.query({ id: 4242, questions: [{ name: `${svc}.micro`, type: "PTR" }] });
    const p = await response;
    expect(p.questions.map((q) => q.name)).toEqual([`${svc}.micro`]);
    expect(p.answers.map((r) => r.type)).toEqual(["PTR", "SRV", "TXT", "A"]);
    const txt = p.answers.find((r) => r.type === "TXT");
    const chunks = txt?.type === "TXT" && Array.isArray(txt.data) ? txt.data : [];
    const json = JSON.parse(inflateSync(Buffer.from(chunks.join(""), "hex")).toString()) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 4)).toEqual(["Metadata", "Service", "Version", "Endpoints"]);
    expect(decodeTxt(chunks)).toMatchObject({ service: svc, version: "latest", metadata: { protocol: "mucp" } });
  });

  it("ignores garbage packets and malformed TXT, logs them, and keeps working", async () => {
    const logger = recordingLogger();
    const b = track(new MdnsRegistry({ logger }));
    const svc = uniqueName("garbage");
    const log = new EventLog();
    await b.watch(log.listener, { service: svc });
    const junk = createSocket({ type: "udp4" });
    await new Promise<void>((resolve) => junk.bind(0, "127.0.0.1", resolve));
    junk.setMulticastInterface("127.0.0.1");
    await new Promise((resolve) => junk.send(Buffer.from("not a dns packet"), 5353, "224.0.0.251", resolve));
    await new Promise<void>((resolve) => junk.close(() => resolve()));
    const peer = track(await rawPeer());
    const [good] = toLocalNodes(makeService(svc, "1.0.0", [makeNode("ok")]), "micro");
    const bad = nodeAnswers({ ...good!, instance: `bad.${svc}.micro.`, txt: ["zz-not-hex"] }, "micro", 60);
    peer.respond({ answers: bad });
    peer.respond({ answers: nodeAnswers(good!, "micro", 60) });
    const created = await log.next((e) => e.action === "create", 5000, "create for the good node");
    expect(created.service.nodes[0]?.id).toBe("ok");
    await waitFor(() => logger.lines.some(([, msg]) => msg.includes("malformed TXT")), 5000, "the malformed TXT to be logged");
    expect(log.events.map((e) => e.service.nodes[0]?.id)).toEqual(["ok"]);
    peer.respond({ answers: nodeAnswers(good!, "micro", 0) });
    await log.next((e) => e.action === "delete", 5000, "delete on goodbye");
  });

  it("refuses an interface with no IPv4 address in the constructor, before any I/O", () => {
    expect(() => new MdnsRegistry({ interface: "no-such-if0" })).toThrow(/no-such-if0/);
  });

  it("refuses to run when it cannot pin multicast to the configured interface", async () => {
    // 203.0.113.7 (TEST-NET-3) is not an address of this machine; nothing is sent.
    const r = track(new MdnsRegistry({ interface: "203.0.113.7" }));
    await expect(r.getService("x")).rejects.toThrow(/cannot multicast on 203\.0\.113\.7/);
  });

  it("rejects nodes it cannot advertise with a 400 before sending anything", async () => {
    const r = track(new MdnsRegistry());
    const svc = uniqueName("bad");
    await expect(r.register(makeService(svc, "1", [{ id: "n", address: "no-port", metadata: {} }]))).rejects.toMatchObject({ code: 400 });
    await expect(r.register(makeService(svc, "1", [makeNode("x".repeat(64))]))).rejects.toMatchObject({ code: 400 });
  });
});
