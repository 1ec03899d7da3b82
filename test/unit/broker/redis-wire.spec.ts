import { resolveRedisBrokerOptions, DEFAULT_REDIS_BROKER_OPTIONS } from "../../../src/broker/redis/options";
import { decodeMessage, encodeMessage, parseEntries } from "../../../src/broker/redis/wire";
import { redacted } from "../../../src/broker/redis/client";

describe("redis broker wire format", () => {
  it("round-trips headers and a binary body", () => {
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const message = { header: { "Micro-Id": "e1", "X-Ünïcode": "✓" }, body };
    const decoded = decodeMessage(encodeMessage(message));
    expect(decoded).toEqual(message);
  });

  it("returns a reason for garbage instead of throwing", () => {
    expect(decodeMessage(Buffer.from([0, 0]))).toBe("shorter than its length prefix");
    expect(decodeMessage(Buffer.from([0, 0, 0, 99, 1]))).toBe("header length beyond the message");
    const framed = (json: string): Buffer => Buffer.concat([Buffer.from([0, 0, 0, Buffer.byteLength(json)]), Buffer.from(json)]);
    expect(decodeMessage(framed("{nope"))).toBe("header is not JSON");
    expect(decodeMessage(framed("[1]"))).toBe("header is not an object");
    expect(decodeMessage(framed('{"a":1}'))).toBe("header values must be strings");
  });

  it("parses stream entries, skipping deleted ones and flagging entries without a message", () => {
    const data = encodeMessage({ header: { "Micro-Id": "x" }, body: Buffer.from("b") });
    const raw = [[Buffer.from("1-0"), [Buffer.from("m"), data]], [Buffer.from("2-0"), null], [Buffer.from("3-0"), [Buffer.from("other"), Buffer.from("v")]]];
    const entries = parseEntries(raw);
    expect(entries.map((e) => e.id)).toEqual(["1-0", "3-0"]);
    expect(entries[0]!.message).toEqual({ header: { "Micro-Id": "x" }, body: Buffer.from("b") });
    expect(entries[1]!.message).toBe("no message field");
    expect(parseEntries(null)).toEqual([]);
  });
});

describe("redis broker options", () => {
  it("fills the defaults and takes host:port as a redis:// URL", () => {
    expect(resolveRedisBrokerOptions()).toMatchObject(DEFAULT_REDIS_BROKER_OPTIONS);
    expect(resolveRedisBrokerOptions({ url: "127.0.0.1:6380" }).url).toBe("redis://127.0.0.1:6380");
  });

  it("refuses nonsense early", () => {
    expect(() => resolveRedisBrokerOptions({ url: "http://127.0.0.1:6379" })).toThrow(/redis:\/\//);
    expect(() => resolveRedisBrokerOptions({ visibilityTimeoutMs: 0 })).toThrow(/visibilityTimeoutMs/);
    expect(() => resolveRedisBrokerOptions({ maxLen: -1 })).toThrow(/maxLen/);
  });

  it("never shows a password in logs", () => {
    expect(redacted("redis://user:secret@127.0.0.1:6379/0")).toBe("redis://user:***@127.0.0.1:6379/0");
    expect(redacted("redis://:secret@127.0.0.1:6379")).toBe("redis://:***@127.0.0.1:6379");
  });
});
