import { ErrorIds, MicroError } from "../../../src/errors";
import { Headers } from "../../../src/transport/headers";
import { FrameError } from "../../../src/transport/tcp/errors";
import { encodeMessage, FrameType, GOAWAY_FRAME, PREFACE } from "../../../src/transport/tcp/frame";
import { MAX_HEADER_BLOCK_BYTES, WELL_KNOWN_HEADERS } from "../../../src/transport/tcp/header-block";
import { FrameReader, type FrameReaderLimits } from "../../../src/transport/tcp/frame-reader";
import { Outbox } from "../../../src/transport/tcp/outbox";
import type { Message } from "../../../src/transport/transport";
import { seeded } from "../../helpers/random";

type Event =
  | { kind: "message"; header: Record<string, string>; body: string }
  | { kind: "oversize"; header: Record<string, string>; bytes: number }
  | { kind: "goaway" }
  | { kind: "error"; reason: string };

function collect(limits: Partial<FrameReaderLimits> = {}): { reader: FrameReader; events: Event[] } {
  const events: Event[] = [];
  const reader = new FrameReader(
    { expectPreface: false, maxFrameBytes: 64 * 1024 * 1024, maxBodyBytes: 4 * 1024 * 1024, ...limits },
    {
      // Copy bodies: a body may be a slice of a chunk the test reuses.
      onMessage: (m) => events.push({ kind: "message", header: m.header, body: Buffer.from(m.body).toString("hex") }),
      onOversize: (header, bytes) => events.push({ kind: "oversize", header, bytes }),
      onGoaway: () => events.push({ kind: "goaway" }),
      onProtocolError: (error) => events.push({ kind: "error", reason: error.message }),
    },
  );
  return { reader, events };
}

function frame(type: number, payload: number[] | Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length, 0);
  head[4] = type;
  return Buffer.concat([head, Buffer.from(payload)]);
}

/** A message frame with a hand-written header block. */
function rawMessage(block: number[], body: number[] = []): Buffer {
  const b = Buffer.alloc(7 + block.length + body.length);
  b.writeUInt32BE(3 + block.length + body.length, 0);
  b[4] = FrameType.message;
  b.writeUInt16BE(block.length, 5);
  Buffer.from(block).copy(b, 7);
  Buffer.from(body).copy(b, 7 + block.length);
  return b;
}

const manyHeaders: Record<string, string> = {};
for (let i = 0; i < 300; i++) manyHeaders[`X-Meta-${i}`] = `value ${i}`;

const messages: Message[] = [
  { header: { [Headers.id]: "1", [Headers.service]: "greeter", [Headers.endpoint]: "Greeter.Hello", [Headers.contentType]: "application/json" }, body: Buffer.from('{"name":"John"}') },
  { header: { [Headers.id]: "2", "X-Unknown-Name": "", "X-Empty": "", "X-Utf8": "grüße, 你好 🙂" }, body: Buffer.alloc(0) },
  { header: { [Headers.id]: "3", ...manyHeaders }, body: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) },
  { header: {}, body: Buffer.alloc(100 * 1024, 7) },
];

/** The stream a client sends: preface, messages, an unknown frame type and a GOAWAY. */
function stream(): Buffer {
  return Buffer.concat([PREFACE, encodeMessage(messages[0]!), frame(0x7f, [1, 2, 3]), encodeMessage(messages[1]!), GOAWAY_FRAME, encodeMessage(messages[2]!), encodeMessage(messages[3]!)]);
}

const expected: Event[] = [
  ...messages.slice(0, 2).map((m): Event => ({ kind: "message", header: m.header, body: m.body.toString("hex") })),
  { kind: "goaway" },
  ...messages.slice(2).map((m): Event => ({ kind: "message", header: m.header, body: m.body.toString("hex") })),
];

describe("tcp frame encoding", () => {
  it("lays out a message frame as documented in docs/protocol.md", () => {
    const bytes = encodeMessage({ header: { [Headers.id]: "42", "X-Tenant": "t1" }, body: Buffer.from("hi") });
    // length 24 | type 0 | block 19 | Micro-Id (index 1) "42" | literal "X-Tenant" "t1" | body "hi"
    expect(bytes.toString("hex")).toBe(
      "00000018" + "00" + "0013" + "01" + "0002" + "3432" + "00" + "08" + Buffer.from("X-Tenant").toString("hex") + "0002" + "7431" + "6869",
    );
    expect(PREFACE.toString("latin1")).toBe("MUCP\x01");
    expect(GOAWAY_FRAME.toString("hex")).toBe("0000000101");
  });

  it("sends well-known names as a one-byte index", () => {
    const header = Object.fromEntries(WELL_KNOWN_HEADERS.map((name) => [name, ""]));
    // 7 head bytes + per name: 1 index byte + 2 value length bytes.
    expect(encodeMessage({ header, body: Buffer.alloc(0) })).toHaveLength(7 + 3 * WELL_KNOWN_HEADERS.length);
  });

  it("round-trips headers (unknown names, empty and UTF-8 values) and bodies", () => {
    const { reader, events } = collect({ expectPreface: true });
    reader.push(stream());
    expect(events).toEqual(expected);
  });

  it("canonicalises literal names and keeps the first of repeated ones", () => {
    const { reader, events } = collect();
    const name = (s: string): number[] => [0, s.length, ...Buffer.from(s)];
    const value = (s: string): number[] => [0, s.length, ...Buffer.from(s)];
    reader.push(rawMessage([...name("micro-id"), ...value("a"), ...name("x-tenant"), ...value("t1"), ...name("X-TENANT"), ...value("t2")]));
    expect(events).toEqual([{ kind: "message", header: { "Micro-Id": "a", "X-Tenant": "t1" }, body: "" }]);
  });

  it("decodes every well-known name, and numbers exactly as sent", () => {
    const { reader, events } = collect();
    const header = Object.fromEntries(WELL_KNOWN_HEADERS.map((name, i) => [name, `value-${i}`]));
    const numbers = ["0", "7", "007", "4999000000", "123456789012345", "1234567890123456789", "12a", "-1", "1.5"];
    for (const n of numbers) reader.push(encodeMessage({ header: { ...header, [Headers.id]: n, [Headers.timeout]: n }, body: Buffer.alloc(0) }));
    expect(events).toEqual(numbers.map((n) => ({ kind: "message", header: { ...header, [Headers.id]: n, [Headers.timeout]: n }, body: "" })));
  });

  it("never mistakes a remembered value for a new one of the same length", () => {
    const { reader, events } = collect();
    const types = ["application/json", "application/jsox", "application/json", "application/jsön", "application/json"];
    const services = ["greeter", "greeter", "gréeter", "greetér", "greeter"];
    types.forEach((type, i) => reader.push(encodeMessage({ header: { [Headers.contentType]: type, [Headers.service]: services[i]!, "X-Meta": type }, body: Buffer.alloc(0) })));
    expect(events.map((e) => (e.kind === "message" ? [e.header[Headers.contentType], e.header[Headers.service], e.header["X-Meta"]] : e.kind))).toEqual(
      types.map((type, i) => [type, services[i], type]),
    );
  });

  it("decodes repeated and changing long Micro-Id values (stream ids are remembered, not trusted)", () => {
    const { reader, events } = collect();
    const ids = ["0f8e4c9a-1111-4b2b-9c3c-aaaaaaaaaaaa", "0f8e4c9a-1111-4b2b-9c3c-aaaaaaaaaaaa", "0f8e4c9a-1111-4b2b-9c3c-aaaaaaaaaaab", "7", "é-not-ascii-id-over-fifteen-chars", "0f8e4c9a-1111-4b2b-9c3c-aaaaaaaaaaab"];
    for (const id of ids) reader.push(encodeMessage({ header: { [Headers.id]: id, [Headers.stream]: id }, body: Buffer.alloc(0) }));
    expect(events.map((e) => (e.kind === "message" ? [e.header[Headers.id], e.header[Headers.stream]] : e.kind))).toEqual(ids.map((id) => [id, id]));
  });

  it("keeps a literal spelling of a well-known name that came before its index", () => {
    const { reader, events } = collect();
    reader.push(rawMessage([0, 8, ...Buffer.from("micro-id"), 0, 1, 0x61, 1, 0, 1, 0x62]));
    expect(events).toEqual([{ kind: "message", header: { [Headers.id]: "a" }, body: "" }]);
  });

  it("refuses headers the layout cannot carry, leaving the outbox untouched", () => {
    const outbox = new Outbox();
    const bad: Array<Record<string, string>> = [
      { ["X".repeat(256)]: "long name" },
      { "": "empty name" },
      { "X-Big": "v".repeat(0x10000) },
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`X-${i}`, "v".repeat(2000)])),
      { "X-Number": 5 as unknown as string },
    ];
    for (const header of bad) {
      expect(() => outbox.message(header, Buffer.from("body"))).toThrow(MicroError);
      expect(() => outbox.message(header, Buffer.from("body"))).toThrow(expect.objectContaining({ code: 400, id: ErrorIds.badRequest }));
    }
    expect(outbox.bytes).toBe(0);
    expect(outbox.take()).toEqual([]);
    expect(MAX_HEADER_BLOCK_BYTES).toBe(65535);
  });

  it("writes frames back to back and passes large bodies by reference", () => {
    const outbox = new Outbox();
    const big = Buffer.alloc(64 * 1024, 1);
    outbox.message({ [Headers.id]: "a" }, Buffer.from("x"));
    outbox.message({ [Headers.id]: "b" }, big);
    outbox.message({ [Headers.id]: "c" }, Buffer.from("y"));
    const chunks = outbox.take();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    const { reader, events } = collect();
    for (const c of chunks) reader.push(c);
    expect(events.map((e) => (e.kind === "message" ? e.header[Headers.id] : e.kind))).toEqual(["a", "b", "c"]);
    expect(outbox.bytes).toBe(0);
  });

  it("reuses a repeated frozen header's encoding byte for byte, and encodes a different one afresh", () => {
    const outbox = new Outbox();
    const a = Object.freeze({ [Headers.id]: "stream-a", [Headers.stream]: "stream-a", [Headers.contentType]: "application/json" });
    const b = Object.freeze({ [Headers.id]: "stream-b", [Headers.stream]: "stream-b" });
    const sent: Message[] = [
      { header: a, body: Buffer.from("1") },
      { header: a, body: Buffer.from("22") },
      { header: b, body: Buffer.from("333") },
      { header: a, body: Buffer.alloc(4096, 0x34) },
      { header: { [Headers.id]: "plain" }, body: Buffer.from("5") },
      { header: a, body: Buffer.from("") },
    ];
    for (const m of sent) outbox.message(m.header, m.body);
    const bytes = Buffer.concat(outbox.take());
    expect(bytes.equals(Buffer.concat(sent.map(encodeMessage)))).toBe(true);
  });
});

describe("tcp frame reader", () => {
  it("decodes a stream fed one byte at a time", () => {
    const { reader, events } = collect({ expectPreface: true });
    const bytes = stream();
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
    expect(events).toEqual(expected);
  });

  it("decodes a stream cut at random places (seeded)", () => {
    const random = seeded(20240601);
    const bytes = stream();
    for (let round = 0; round < 50; round++) {
      const { reader, events } = collect({ expectPreface: true });
      let at = 0;
      while (at < bytes.length) {
        // Mostly short pieces, sometimes long ones, so every state is entered from both sides.
        const size = random() < 0.8 ? 1 + Math.floor(random() * 16) : 1 + Math.floor(random() * 64 * 1024);
        reader.push(bytes.subarray(at, at + size));
        at += size;
      }
      expect(events).toEqual(expected);
    }
  });

  it("reports a body over the limit with its header and skips it without buffering", () => {
    const { reader, events } = collect({ maxBodyBytes: 10 });
    const bytes = Buffer.concat([encodeMessage({ header: { [Headers.id]: "big" }, body: Buffer.alloc(11) }), encodeMessage({ header: { [Headers.id]: "ok" }, body: Buffer.from("0123456789") })]);
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
    expect(events).toEqual([
      { kind: "oversize", header: { [Headers.id]: "big" }, bytes: 11 },
      { kind: "message", header: { [Headers.id]: "ok" }, body: Buffer.from("0123456789").toString("hex") },
    ]);
  });

  const malformed: Array<[string, Buffer, RegExp, Partial<FrameReaderLimits>]> = [
    ["an HTTP request instead of the preface", Buffer.from("GET / HTTP/1.1\r\n\r\n"), /bad preface/, { expectPreface: true }],
    ["another protocol version", Buffer.from("MUCP\x09"), /unsupported protocol version 9/, { expectPreface: true }],
    ["a zero frame length", Buffer.from([0, 0, 0, 0, 0]), /frame length 0/, {}],
    ["an absurd frame length", Buffer.from([0xff, 0xff, 0xff, 0xff, 0]), /frame length 4294967295/, {}],
    ["a message frame too short for its head", Buffer.from([0, 0, 0, 2, 0, 0, 0]), /too short/, {}],
    ["a header block longer than its frame", Buffer.from([0, 0, 0, 4, 0, 0, 9, 1]), /longer than its frame/, {}],
    ["an unknown header index", rawMessage([99, 0, 0]), /unknown header index 99/, {}],
    ["a literal name running past the block", rawMessage([0, 9, 65, 66, 67]), /literal name/, {}],
    ["an empty literal name", rawMessage([0, 0, 0, 0]), /literal name/, {}],
    ["a truncated value length", rawMessage([1, 0]), /truncated value length/, {}],
    ["a value running past the block", rawMessage([1, 0, 5, 65]), /value runs past/, {}],
  ];

  it.each(malformed)("stops with a protocol error on %s", (_, bytes, reason, limits) => {
    for (const split of [bytes.length, 1]) {
      const { reader, events } = collect(limits);
      for (let i = 0; i < bytes.length; i += split) reader.push(bytes.subarray(i, i + split));
      reader.push(encodeMessage({ header: { [Headers.id]: "after" }, body: Buffer.alloc(0) }));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: "error", reason: expect.stringMatching(reason) });
    }
  });

  it("rejects a frame over maxFrameBytes before reading it", () => {
    const { reader, events } = collect({ maxFrameBytes: 1000 });
    reader.push(encodeMessage({ header: {}, body: Buffer.alloc(1000) }).subarray(0, 5));
    expect(events).toEqual([{ kind: "error", reason: expect.stringContaining("outside 1..1000") }]);
  });

  it("throws errors of its own type", () => {
    expect(new FrameError("x")).toBeInstanceOf(Error);
    expect(new FrameError("x").name).toBe("FrameError");
  });
});
