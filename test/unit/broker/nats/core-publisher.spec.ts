import type { NatsConnection } from "nats";
import { ProtocolHandler } from "nats/lib/nats-base-client/protocol";
import { CorePublisher } from "../../../../src/broker/nats/core-publisher";
import { toWireHeaders } from "../../../../src/broker/nats/wire";

/** A stand-in for nats.js's protocol handler: records what is queued and what is flushed. */
class FakeProtocol {
  info = { headers: true, max_payload: 1024 * 1024 };
  noMorePublishing = false;
  outMsgs = 0;
  outBytes = 0;
  /** Chunks queued and not yet flushed, as nats.js's DataBuffer holds them. */
  queued: Uint8Array[] = [];
  /** Every chunk queued, as given (not copied): a later overwrite would show here. */
  chunks: Uint8Array[] = [];
  flushes = 0;
  socket = { writableLength: 0 as number, encrypted: false };
  transport = { socket: this.socket };
  outbound = { size: () => this.queued.reduce((n, c) => n + c.length, 0) };

  sendCommand(cmd: Uint8Array): void {
    this.queued.push(cmd);
    this.chunks.push(cmd);
  }
  flushPending(): void {
    this.flushes++;
    this.queued = [];
  }
  /** Everything queued, as the bytes on the wire. */
  wire(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** What nats.js's own `publish` queues for the same message (its code, run on a recorder). */
function natsJsBytes(subject: string, header: Record<string, string>, body: Uint8Array): string {
  const parts: Uint8Array[] = [];
  const recorder = {
    info: { headers: true, max_payload: 1024 * 1024 },
    outBytes: 0,
    outMsgs: 0,
    sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]) {
      parts.push(typeof cmd === "string" ? Buffer.from(cmd) : cmd, ...payloads);
    },
  };
  ProtocolHandler.prototype.publish.call(recorder as unknown as ProtocolHandler, subject, body, { headers: toWireHeaders(header, subject) });
  return Buffer.concat(parts).toString("utf8");
}

function connection(protocol: FakeProtocol | undefined, closed = false): NatsConnection & { fallback: Array<[string, Uint8Array]> } {
  const fallback: Array<[string, Uint8Array]> = [];
  const nc = {
    protocol,
    fallback,
    isClosed: () => closed,
    publish: (subject: string, data: Uint8Array) => {
      if (closed) throw Object.assign(new Error("CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
      fallback.push([subject, data]);
    },
  };
  return nc as unknown as NatsConnection & { fallback: Array<[string, Uint8Array]> };
}

const header = (id: string): Record<string, string> => ({
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  "Micro-Topic": "orders.created",
  "Micro-Id": id,
  "Content-Type": "application/json",
  "x-note": "vålue",
});
const body = (text: string): Buffer => Buffer.from(text);
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("CorePublisher", () => {
  it("queues the bytes nats.js's own publish would, for each message", async () => {
    const p = new FakeProtocol();
    const pub = new CorePublisher(connection(p));
    const messages: Array<[string, Record<string, string>, Buffer]> = [
      ["orders.created", header("a"), body('{"n":1}')],
      ["orders.created", { ...header("b"), "Content-Type": "text/plain" }, body("")],
      ["ördérs.créé", header("c"), body("x".repeat(5000))],
    ];
    for (const [subject, h, b] of messages) pub.publish(subject, h, b);
    await turn();
    expect(p.wire()).toBe(messages.map(([s, h, b]) => natsJsBytes(s, h, b)).join(""));
    expect(p.outMsgs).toBe(3);
  });

  it("hands one turn's messages over as one chunk, at the end of the turn", async () => {
    const p = new FakeProtocol();
    const pub = new CorePublisher(connection(p));
    for (let i = 0; i < 50; i++) pub.publish("t", header(String(i)), body(`{"i":${i}}`));
    expect(p.chunks).toHaveLength(0);
    await turn();
    expect(p.chunks).toHaveLength(1);
    expect(p.wire().match(/^HPUB t /gm)).toHaveLength(50);
  });

  it("hands over and flushes at once every 32 KiB within a turn", () => {
    const p = new FakeProtocol();
    const pub = new CorePublisher(connection(p));
    for (let i = 0; i < 40; i++) pub.publish("t", header(String(i)), body("y".repeat(1000)));
    expect(p.chunks.length).toBeGreaterThanOrEqual(1);
    expect(p.flushes).toBe(p.chunks.length);
    for (const c of p.chunks) expect(c.length).toBeGreaterThanOrEqual(32 * 1024);
  });

  it("writes its buffer again only when nothing of it is still waiting in nats.js or the socket", () => {
    const p = new FakeProtocol();
    const pub = new CorePublisher(connection(p));
    const fill = (tag: string) => {
      for (let i = 0; i < 70; i++) pub.publish("t", header(`${tag}${i}`), body("z".repeat(1000)));
    };
    /** How many chunks start at or before an earlier chunk of the same memory (a buffer written again). */
    const rewinds = () => p.chunks.filter((c, i) => p.chunks.slice(0, i).some((e) => e.buffer === c.buffer && c.byteOffset <= e.byteOffset)).length;

    p.socket.writableLength = 10; // the socket still holds bytes: every chunk must stay intact
    fill("a");
    const held = p.chunks.map((c) => Buffer.from(c));
    fill("b");
    held.forEach((copy, i) => expect(Buffer.from(p.chunks[i]!).equals(copy)).toBe(true));
    expect(rewinds()).toBe(0);

    p.socket.writableLength = 0; // everything written through: the same memory is written again
    fill("c");
    expect(rewinds()).toBeGreaterThan(0);
  });

  it("falls back to nc.publish, in order, for what the fast path does not handle (nats.js then throws its own errors)", async () => {
    const p = new FakeProtocol();
    p.info.max_payload = 4096;
    const nc = connection(p);
    const pub = new CorePublisher(nc);
    pub.publish("t", header("fast"), body("{}"));
    pub.publish("t", header("big"), body("b".repeat(5000))); // over max_payload: nats.js throws its own error
    expect(() => pub.publish("t", { ...header("key"), "bad key": "v" }, body("{}"))).toThrow(/not a valid character/);
    expect(nc.fallback.map(([s, d]) => [s, d.length])).toEqual([["t", 5000]]);
    // The fast message before them was handed over first, so order on the wire is kept.
    expect(p.chunks).toHaveLength(1);
    await turn();
    expect(p.outMsgs).toBe(1);
  });

  it("throws nats.js's error on a closed connection, and uses nc.publish without nats.js's protocol handler", () => {
    const closed = new CorePublisher(connection(new FakeProtocol(), true));
    expect(() => closed.publish("t", header("x"), body("{}"))).toThrow("CONNECTION_CLOSED");
    const nc = connection(undefined);
    new CorePublisher(nc).publish("t", header("y"), body("{}"));
    expect(nc.fallback).toHaveLength(1);
  });
});
