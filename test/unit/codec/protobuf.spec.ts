import * as path from "node:path";
import { Root, type Type } from "protobufjs";
import { BytesCodec, CodecSet, DEFAULT_CODECS, JsonCodec, JsonRpcCodec, ProtobufCodec, ProtoRegistry, ProtoRpcCodec, decodeEnvelope, splitProtoRpc } from "../../../src";

const FIXTURES = path.join(__dirname, "../../fixtures/proto");
const registry = ProtoRegistry.load(path.join(FIXTURES, "all.proto"));
// protobufjs's own reflection, loaded separately: the reference the codecs are checked against.
const reference = new Root();
reference.resolvePath = (origin, target) => (origin ? path.resolve(path.dirname(origin), target) : target);
reference.loadSync(path.join(FIXTURES, "all.proto"));
const Everything = reference.lookupType("demo.all.Everything");
const Scalars = reference.lookupType("demo.all.Scalars");

const schema = registry.message("demo.all.Everything");
const frame = { type: "request" as const, id: "42", endpoint: "Store.Put", schema };

const SCALARS = {
  fDouble: 1.5,
  fFloat: 2.5,
  fInt32: -7,
  fInt64: "-9007199254740993",
  fUint32: 4294967295,
  fUint64: "18446744073709551615",
  fSint32: -2147483648,
  fSint64: "-9223372036854775808",
  fFixed32: 123,
  fFixed64: "9223372036854775807",
  fSfixed32: -5,
  fSfixed64: "-42",
  fBool: true,
  fString: "héllo",
  fBytes: Buffer.from([0, 1, 254, 255]),
};

const EVERYTHING = {
  scalars: SCALARS,
  numbers: [1, -2, 3],
  names: ["a", "b"],
  points: [{ x: 1, y: 2 }, { x: -3, y: 0 }],
  counts: { a: "1", big: "9007199254740993" },
  byId: { "7": { x: 7, y: 7 } },
  color: "GREEN",
  colors: ["RED", "COLOR_UNSPECIFIED", "GREEN"],
  number: "-12345678901234567",
  inner: { label: "in", color: "RED" },
  maybe: "",
};

function viaReference(type: Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: true, arrays: true, objects: true });
}

describe("protobuf codec", () => {
  const codec = new ProtobufCodec();

  it("answers to application/protobuf and application/x-protobuf", () => {
    const set = new CodecSet(DEFAULT_CODECS);
    expect(set.get("application/protobuf").name).toBe("protobuf");
    expect(set.get("application/x-protobuf").name).toBe("protobuf");
    expect(set.get("application/proto-rpc").name).toBe("proto-rpc");
    expect(set.get("application/octet-stream").name).toBe("bytes");
  });

  it("encodes every scalar type, nested, repeated, maps, enums, oneof and int64 as protobufjs decodes them", () => {
    const bytes = codec.marshal(EVERYTHING, frame);
    const decoded = viaReference(Everything, bytes);
    expect(decoded).toEqual(expect.objectContaining({ ...EVERYTHING, scalars: expect.objectContaining({ ...SCALARS, fBytes: expect.anything() }) }));
    expect(Buffer.from((decoded.scalars as { fBytes: Uint8Array }).fBytes)).toEqual(SCALARS.fBytes);
    expect(decoded.number).toBe("-12345678901234567");
    expect(decoded.text).toBeUndefined();
  });

  it("decodes what protobufjs encodes, int64 beyond 2^53 exactly, into the native form", () => {
    const bytes = Everything.encode(Everything.fromObject(EVERYTHING)).finish();
    const value = codec.unmarshal(Buffer.from(bytes), frame) as typeof EVERYTHING;
    expect(value).toEqual({ ...EVERYTHING, scalars: { ...SCALARS, fBytes: expect.any(Uint8Array) } });
    expect(Buffer.from(value.scalars.fBytes)).toEqual(SCALARS.fBytes);
    // Round trip through the codec gives the same bytes protobufjs wrote.
    expect(Buffer.from(codec.marshal(value, frame))).toEqual(Buffer.from(bytes));
  });

  it("fills proto3 defaults for unset fields and leaves unset messages and oneofs out", () => {
    const value = codec.unmarshal(Buffer.alloc(0), frame) as Record<string, unknown>;
    expect(value).toMatchObject({ numbers: [], names: [], counts: {}, byId: {}, color: "COLOR_UNSPECIFIED" });
    expect(value.text).toBeUndefined();
    expect(value.maybe).toBeUndefined();
    const scalars = registry.message("demo.all.Scalars").decode(new Uint8Array()) as Record<string, unknown>;
    expect(scalars).toMatchObject({ fInt64: "0", fString: "", fBool: false, fDouble: 0 });
  });

  it("round-trips each scalar on its own", () => {
    const s = registry.message("demo.all.Scalars");
    for (const [key, value] of Object.entries(SCALARS)) {
      const bytes = s.encode({ [key]: value });
      expect(viaReference(Scalars, bytes)[key]).toEqual(value);
      expect((s.decode(bytes) as Record<string, unknown>)[key]).toEqual(value);
    }
  });

  it("throws on malformed bytes and when no message type is known", () => {
    expect(() => codec.unmarshal(Buffer.from([0x0a, 0xff, 0xff, 0xff]), frame)).toThrow();
    expect(() => codec.unmarshal(Buffer.from([1, 2]), { ...frame, schema: undefined })).toThrow(/no protobuf message type is known for request "Store.Put"/);
    expect(() => codec.marshal({ scalars: 5 }, frame)).toThrow(/object expected/);
  });

  it("decodes 64-bit map keys as decimal strings, in nested, recursive and repeated messages too", () => {
    const s = registry.message("demo.all.LongKeys");
    const LongKeys = reference.lookupType("demo.all.LongKeys");
    const value = { signed: { "-9223372036854775808": "min", "9007199254740993": "big" }, nested: { "18446744073709551615": { signed: { "1": "one" } } }, list: [{ signed: { "-1": "m" } }] };
    const bytes = LongKeys.encode(LongKeys.fromObject(value)).finish();
    expect(s.decode(bytes)).toEqual({
      signed: value.signed,
      nested: { "18446744073709551615": { signed: { "1": "one" }, nested: {}, list: [] } },
      list: [{ signed: { "-1": "m" }, nested: {}, list: [] }],
    });
    expect(s.toJSON(s.decode(bytes))).toEqual(value);
  });

  it("refuses a string whose length prefix runs past the end (protobufjs's Buffer reader would clamp it)", () => {
    const s = registry.message("demo.all.Scalars");
    expect(() => s.decode(Buffer.from([0x72, 0x05, 0x41]))).toThrow(/index out of range/); // field 14 (f_string) says 5 bytes, 1 follows
  });

  it("passes already-encoded bytes through", () => {
    const bytes = Scalars.encode({ fInt32: 3 }).finish();
    expect(codec.marshal(bytes, frame)).toEqual(Buffer.from(bytes));
  });
});

describe("proto3 JSON mapping in the JSON codecs", () => {
  const json = new JsonCodec();

  it("decodes int64 strings, enum names and base64 bytes into the native form", () => {
    const body = Buffer.from(JSON.stringify({ scalars: { fInt64: "9007199254740993", fBytes: "AAH+/w==" }, color: 2, colors: ["RED"], counts: { k: 5 } }));
    const value = json.unmarshal(body, frame) as { scalars: { fInt64: string; fBytes: Uint8Array }; color: string; counts: Record<string, string> };
    expect(value.scalars.fInt64).toBe("9007199254740993");
    expect(Buffer.from(value.scalars.fBytes)).toEqual(Buffer.from([0, 1, 254, 255]));
    expect(value.color).toBe("GREEN");
    expect(value.counts).toEqual({ k: "5" });
  });

  it("encodes int64 as strings, enums by name, bytes as base64 and omits defaults", () => {
    const out = JSON.parse(json.marshal({ scalars: { fInt64: "-5", fBytes: Buffer.from([255]) }, color: "RED", numbers: [] }, frame).toString());
    expect(out).toEqual({ scalars: { fInt64: "-5", fBytes: "/w==" }, color: "RED" });
  });

  it("json-rpc applies the same mapping inside its envelope", () => {
    const c = new JsonRpcCodec();
    const wire = JSON.parse(c.marshal({ color: "RED", number: "7" }, frame).toString());
    expect(wire).toEqual({ method: "Store.Put", params: [{ color: "RED", number: "7" }], id: "42" });
    expect(c.unmarshal(Buffer.from(JSON.stringify(wire)), frame)).toMatchObject({ color: "RED", number: "7", numbers: [] });
  });

  it("accepts the .proto's original field names as well as the JSON names, nested and repeated too", () => {
    const body = { scalars: { f_int64: "5", fString: "x" }, by_id: { "1": { x: 1 } }, inner: { label: "l" }, points: [{ x: 2 }] };
    const value = json.unmarshal(Buffer.from(JSON.stringify(body)), frame) as { scalars: { fInt64: string; fString: string }; byId: Record<string, { x: number }> };
    expect(value.scalars).toMatchObject({ fInt64: "5", fString: "x" });
    expect(value.byId).toEqual({ "1": { x: 1, y: 0 } });
    const input = { scalars: { f_int64: "7" } };
    expect(schema.fromJSON(input)).toMatchObject({ scalars: { fInt64: "7" } });
    expect(input).toEqual({ scalars: { f_int64: "7" } }); // the caller's object is left alone
  });

  it("rejects a body that is not an object", () => {
    expect(() => json.unmarshal(Buffer.from("[1]"), frame)).toThrow(/object expected/);
  });
});

describe("proto-rpc codec", () => {
  const codec = new ProtoRpcCodec();

  it("frames a request as a length-prefixed envelope then a length-prefixed body, as go-micro does", () => {
    const wire = codec.marshal({ color: "RED" }, frame);
    const envelopeLength = wire.readUInt32BE(0);
    const envelope = decodeEnvelope(wire.subarray(4, 4 + envelopeLength));
    expect(envelope).toEqual({ serviceMethod: "Store.Put", seq: "42", error: "" });
    const bodyLength = wire.readUInt32BE(4 + envelopeLength);
    const body = wire.subarray(8 + envelopeLength);
    expect(body.length).toBe(bodyLength);
    expect(viaReference(Everything, body).color).toBe("RED");
    expect(codec.unmarshal(wire, frame)).toMatchObject({ color: "RED" });
  });

  it("encodes the envelope's seq as fixed64 (field 2, wire type 1) and sends 0 for a non-numeric id", () => {
    const wire = codec.marshal({}, { ...frame, id: "f3c1-uuid" });
    const { envelope } = splitProtoRpc(wire);
    expect(envelope.seq).toBe("0");
    const raw = codec.marshal({}, { ...frame, id: "18446744073709551615" });
    const head = raw.subarray(4, 4 + raw.readUInt32BE(0));
    expect(head[0]).toBe(0x0a); // field 1, length-delimited
    expect(head.indexOf(0x11)).toBe(2 + "Store.Put".length); // field 2, fixed64
    expect(splitProtoRpc(raw).envelope.seq).toBe("18446744073709551615");
  });

  it("carries a response's error text in the envelope", () => {
    const res = { ...frame, type: "error" as const };
    const wire = codec.marshal("boom", res);
    expect(splitProtoRpc(wire)).toEqual({ envelope: { serviceMethod: "Store.Put", seq: "42", error: "boom" }, body: Buffer.alloc(0) });
    expect(() => codec.unmarshal(wire, { ...frame, type: "response" })).toThrow("boom");
  });

  it("sends events as the bare protobuf body", () => {
    const ev = { ...frame, type: "event" as const };
    const wire = codec.marshal({ color: "RED" }, ev);
    expect(viaReference(Everything, wire).color).toBe("RED");
    expect(codec.unmarshal(wire, ev)).toMatchObject({ color: "RED" });
  });

  it("throws on a truncated envelope, a truncated body and trailing bytes", () => {
    const wire = codec.marshal({ color: "RED" }, frame);
    expect(() => codec.unmarshal(wire.subarray(0, 3), frame)).toThrow(/envelope length is missing/);
    expect(() => codec.unmarshal(wire.subarray(0, wire.length - 1), frame)).toThrow(/body says/);
    expect(() => codec.unmarshal(Buffer.concat([wire, Buffer.from([0])]), frame)).toThrow(/after the proto-rpc body/);
  });
});

describe("bytes codec", () => {
  const codec = new BytesCodec();
  const f = { type: "request" as const, id: "1", endpoint: "Blob.Put" };

  it("sends bytes as they are and strings as UTF-8, and hands the body over untouched", () => {
    const data = Buffer.from([0, 255, 10]);
    expect(codec.marshal(data, f)).toBe(data);
    expect(codec.marshal(new Uint8Array([1, 2]), f)).toEqual(Buffer.from([1, 2]));
    expect(codec.marshal("é", f)).toEqual(Buffer.from("é"));
    expect(codec.unmarshal(data)).toBe(data);
  });

  it("refuses values that are not bytes", () => {
    expect(() => codec.marshal({ a: 1 }, f)).toThrow(/application\/octet-stream carries bytes/);
  });
});
