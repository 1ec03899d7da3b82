import { headers as natsHeaders, type Msg, type MsgHdrs } from "nats";
import { MsgImpl } from "nats/lib/nats-base-client/msg";
import { fromNatsHeaders, msgHeaders, msgParts, parseHeaderBlock, toNatsHeaders } from "../../../src/internal/nats/headers";

type Encodable = MsgHdrs & { encode(): Uint8Array };
const bytes = (h: MsgHdrs): string => Buffer.from((h as Encodable).encode()).toString("utf8");

/** nats.js's own encoding of `record`, what the fast path must reproduce byte for byte. */
function reference(record: Record<string, string>): string {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(record)) h.set(k, v.replace(/[\r\n]+/g, " "));
  return bytes(h);
}

/** A message as nats.js's parser hands it to a subscription callback. */
function received(block: string, body = "{}"): Msg {
  const raw = Buffer.from(block + body);
  return new MsgImpl({ subject: new Uint8Array(0), sid: 1, size: raw.length, hdr: Buffer.byteLength(block) }, raw, { publish: () => undefined }) as unknown as Msg;
}

describe("nats headers", () => {
  const record = { "Micro-Topic": "orders.created", "Micro-Id": "abc", "Content-Type": "application/json", traceparent: "00-aa-bb-01", note: " two\r\nlines ", "x-note": "vålue" };

  it("encodes the same bytes as nats.js's own headers", () => {
    expect(bytes(toNatsHeaders(record))).toBe(reference(record));
    expect(bytes(toNatsHeaders({}))).toBe(reference({}));
  });

  it("behaves like nats.js's headers when changed after encoding (JetStream adds Nats-Msg-Id)", () => {
    const h = toNatsHeaders(record);
    h.set("Nats-Msg-Id", "orders.created abc");
    const expected = natsHeaders();
    for (const [k, v] of Object.entries(record)) expected.set(k, v.replace(/[\r\n]+/g, " "));
    expected.set("Nats-Msg-Id", "orders.created abc");
    expect(bytes(h)).toBe(bytes(expected));
    expect(h.get("Micro-Id")).toBe("abc");
  });

  it("leaves out a header whose value the receiver implies, on the fast and the slow path", () => {
    const implied = { "Micro-Topic": "orders.created", "Content-Type": "application/json" };
    const { ["Micro-Topic"]: _topic, ["Content-Type"]: _type, ...rest } = record;
    expect(bytes(toNatsHeaders(record, implied))).toBe(reference(rest));
    const h = toNatsHeaders(record, implied);
    h.set("Nats-Msg-Id", "x");
    expect(h.has("Micro-Topic")).toBe(false);
    expect(h.get("Micro-Id")).toBe("abc");
    expect(bytes(toNatsHeaders(record, { ...implied, "Content-Type": "text/plain" }))).toContain("Content-Type: application/json");
  });

  it("refuses a key nats.js refuses, with nats.js's error", () => {
    expect(() => toNatsHeaders({ "bad key": "v" })).toThrow(/not a valid character/);
  });

  it("reads a received message's headers as fromNatsHeaders(msg.headers) does", () => {
    const block = reference({ ...record, "Nats-Msg-Id": "x" });
    const msg = received(block);
    const expected = fromNatsHeaders(received(block).headers);
    expect(msgHeaders(msg)).toEqual(expected);
    expect(expected["Nats-Msg-Id"]).toBeUndefined();
    expect(expected["x-note"]).toBe("vålue");
  });

  it("reads nats.js's message class from its raw header block (fast path still available)", () => {
    const msg = received(reference(record));
    const spy = jest.spyOn(MsgImpl.prototype, "headers", "get");
    msgHeaders(msg);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it("keeps the first value of a repeated key, skips status and malformed lines", () => {
    expect(parseHeaderBlock("NATS/1.0 503\r\nA: 1\r\nA: 2\r\nnocolon\r\nB:  x \r\n\r\n")).toEqual({ A: "1", B: "x" });
    expect(parseHeaderBlock("NATS/1.0\r\nconstructor: c\r\n\r\n")).toEqual({ constructor: "c" });
    // Values are trimmed as String.prototype.trim does, Unicode spaces included.
    expect(parseHeaderBlock("NATS/1.0\r\nC: x\u00a0\r\nD:\u3000y\r\nE: \r\nF:z\r\n\r\n")).toEqual({ C: "x", D: "y", E: "", F: "z" });
  });

  it("splits a received message into headers and a body viewing nats.js's bytes", () => {
    const block = reference(record);
    const msg = received(block, '{"n":1}');
    const parts = msgParts(msg);
    expect(parts.header).toEqual(fromNatsHeaders(msg.headers));
    expect(parts.body.toString()).toBe('{"n":1}');
    expect(Buffer.from(msg.data).equals(parts.body)).toBe(true);
    const plain = new MsgImpl({ subject: new Uint8Array(0), sid: 1, size: 2, hdr: -1 }, Buffer.from("{}"), { publish: () => undefined }) as unknown as Msg;
    expect(msgParts(plain)).toEqual({ header: {}, body: Buffer.from("{}") });
  });

  it("gives an empty record for a message without headers", () => {
    const raw = Buffer.from("{}");
    const msg = new MsgImpl({ subject: new Uint8Array(0), sid: 1, size: 2, hdr: -1 }, raw, { publish: () => undefined }) as unknown as Msg;
    expect(msgHeaders(msg)).toEqual({});
  });
});
