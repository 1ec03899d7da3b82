import * as path from "node:path";
import { Handler, MicroError, ProtoRegistry, ProtoTypes, Service, Test, type TestingModule } from "../../../src";

// Regression: JSON requests to .proto handlers were coerced silently (int64 wrapped, 1.5 → 1, "abc" → 0,
// unknown enum names → 0, Struct emptied, two oneof members kept) and the well-known types' JSON forms
// were refused ("object expected").
const HAZARDS = path.join(__dirname, "../../fixtures/proto/hazards.proto");
const registry = ProtoRegistry.load(HAZARDS);
const item = registry.message("demo.hazards.Item");
const put = registry.method("demo.hazards.Hazards.Put");

// [what, JSON request, error matching the detail]
const INVALID: ReadonlyArray<[string, Record<string, unknown>, RegExp]> = [
  ["int64 above its range", { price: "9223372036854775808" }, /Item\.price: 9223372036854775808 is out of range/],
  ["int64 below its range", { price: "-9223372036854775809" }, /Item\.price: .* out of range/],
  ["a fraction for int64", { price: 1.5 }, /Item\.price: integer expected, got 1\.5/],
  ["a non-number string for int64", { price: "abc" }, /Item\.price: integer expected, got "abc"/],
  ["a negative uint64", { qty: "-1" }, /Item\.qty: -1 is out of range/],
  ["int32 out of range", { small: 2147483648 }, /Item\.small: .* out of range/],
  ["a fraction for int32", { small: "2.5" }, /Item\.small: integer expected/],
  ["a negative uint32", { count: -1 }, /Item\.count: -1 is out of range/],
  ["a float out of range", { ratio: 1e39 }, /Item\.ratio: .* out of range for a float/],
  ["a string for a double", { d: "x" }, /Item\.d: number expected/],
  ["a string for bool", { flag: "true" }, /Item\.flag: true or false expected/],
  ["a number for string", { id: 5 }, /Item\.id: string expected, got 5/],
  ["bytes that are not base64", { blob: "!!" }, /Item\.blob: base64 string expected/],
  ["an unknown enum name", { color: "BLUE" }, /Item\.color: unknown Color value "BLUE"/],
  ["two members of one oneof", { note: "n", code: 1 }, /Item\.code: "note" of the same oneof "kind" is set too/],
  ["a non-integer int64 map key", { byId: { x: "a" } }, /Item\.byId\["x"\]: integer map key expected/],
  ["a wrong-kind map value", { tags: { a: "b" } }, /Item\.tags\["a"\]: integer expected/],
  ["an array field given a scalar", { stamps: "2024-01-01T00:00:00Z" }, /Item\.stamps: array expected/],
  ["a Timestamp that is not RFC 3339", { created: "yesterday" }, /Item\.created: RFC 3339 timestamp expected/],
  ["a Timestamp with an impossible date", { created: "2024-02-30T00:00:00Z" }, /Item\.created: .* not a valid date/],
  ["a Duration without its unit", { took: "1.5" }, /Item\.took: duration expected/],
  ["a wrapper of the wrong kind", { wrapped: 5 }, /Item\.wrapped: string expected/],
  ["a Struct given an array", { extra: [1] }, /Item\.extra: object expected/],
  ["an Any without @type", { payload: { id: "x" } }, /Item\.payload: "@type"/],
  ["a Struct nested 1000 levels deep", { extra: JSON.parse(`${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`) as unknown }, /Item\.extra(\.a)+: nested more than 100 levels deep/],
  ["an Any naming an unknown type", { payload: { "@type": "type.googleapis.com/no.Such" } }, /Item\.payload: "@type" names "no\.Such"/],
];

// [what, JSON request, native form the handler receives, JSON the caller gets back]
const VALID: ReadonlyArray<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]> = [
  ["int64 at its limits", { price: "-9223372036854775808", qty: "18446744073709551615" }, { price: "-9223372036854775808", qty: "18446744073709551615" }, { price: "-9223372036854775808", qty: "18446744073709551615" }],
  ["int64 as a JSON number", { price: 42 }, { price: "42" }, { price: "42" }],
  ["exponent notation with an integral value", { price: "1e3", small: 2e2 }, { price: "1000", small: 200 }, { price: "1000", small: 200 }],
  ["enums by name or number", { color: 2 }, { color: "GREEN" }, { color: "GREEN" }],
  ["non-finite doubles", { d: "-Infinity" }, { d: -Infinity }, { d: "-Infinity" }],
  ["url-safe base64", { blob: "AAH_" }, { blob: Buffer.from([0, 1, 255]) }, { blob: "AAH/" }],
  ["the .proto name beside the JSON name", { by_id: { "-3": "m" } }, { byId: { "-3": "m" } }, { byId: { "-3": "m" } }],
  ["a Timestamp as RFC 3339", { created: "2024-01-01T00:00:00Z" }, { created: { seconds: "1704067200", nanos: 0 } }, { created: "2024-01-01T00:00:00Z" }],
  ["a Timestamp with an offset and nanos", { created: "2024-01-01T01:00:00.000000005+01:00" }, { created: { seconds: "1704067200", nanos: 5 } }, { created: "2024-01-01T00:00:00.000000005Z" }],
  ["repeated Timestamps", { stamps: ["1970-01-01T00:00:01.5Z"] }, { stamps: [{ seconds: "1", nanos: 500000000 }] }, { stamps: ["1970-01-01T00:00:01.500Z"] }],
  ["a Duration as seconds", { took: "-1.5s" }, { took: { seconds: "-1", nanos: -500000000 } }, { took: "-1.500s" }],
  ["wrappers as plain values", { wrapped: "w", wrappedLong: "5", wrappedFlag: false }, { wrapped: { value: "w" }, wrappedLong: { value: "5" }, wrappedFlag: { value: false } }, { wrapped: "w", wrappedLong: "5", wrappedFlag: false }],
  ["a Struct as a JSON object", { extra: { k: "v", n: [1, null, { a: true }] } }, { extra: { fields: { k: { stringValue: "v" }, n: { listValue: { values: [{ numberValue: 1 }, { nullValue: "NULL_VALUE" }, { structValue: { fields: { a: { boolValue: true } } } }] } } } } }, { extra: { k: "v", n: [1, null, { a: true }] } }],
  ["a Value null and a ListValue", { anyValue: null, list: [1, "x"] }, { anyValue: { nullValue: "NULL_VALUE" }, list: { values: [{ numberValue: 1 }, { stringValue: "x" }] } }, { anyValue: null, list: [1, "x"] }],
  ["a FieldMask as a string", { mask: "id,byId.fooBar" }, { mask: { paths: ["id", "by_id.foo_bar"] } }, { mask: "id,byId.fooBar" }],
  ["an Any holding a message", { payload: { "@type": "type.googleapis.com/demo.hazards.Inherited", id: "in", constructor: "c" } }, {}, { payload: { "@type": "type.googleapis.com/demo.hazards.Inherited", id: "in", constructor: "c" } }],
  ["an Any holding a well-known type", { payload: { "@type": "type.googleapis.com/google.protobuf.Duration", value: "3s" } }, {}, { payload: { "@type": "type.googleapis.com/google.protobuf.Duration", value: "3s" } }],
  ["Empty as an object", { nothing: {} }, { nothing: {} }, { nothing: {} }],
];

@Service("hazards")
class Hazards {
  received: unknown[] = [];

  @Handler({ proto: "demo.hazards.Hazards.Put" })
  async put(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.received.push(req);
    return req;
  }
}

describe("proto3 JSON mapping of .proto requests and responses", () => {
  it.each(INVALID)("refuses %s, naming the field", (_what, json, detail) => {
    expect(() => item.fromJSON(json)).toThrow(detail);
  });

  it.each(VALID)("reads %s", (_what, json, native, back) => {
    const value = item.fromJSON(json);
    expect(value).toMatchObject(native);
    expect(item.toJSON(value)).toMatchObject(back);
    // JSON → native → protobuf → native → JSON gives the same JSON.
    expect(item.toJSON(item.decode(item.encode(value)))).toMatchObject(back);
  });

  it("leaves out what is unset in well-known fields", () => {
    const json = item.toJSON(item.fromJSON({ id: "x" })) as Record<string, unknown>;
    for (const key of ["created", "took", "wrapped", "extra", "anyValue", "list", "mask", "payload", "nothing"]) expect(json).not.toHaveProperty([key]);
  });

  describe("through a handler", () => {
    let module: TestingModule;
    beforeAll(async () => {
      module = await Test.createTestingModule({ services: [Hazards], providers: [{ provide: ProtoTypes, useValue: registry }] }).compile();
    });
    afterAll(async () => {
      await module?.close();
    });

    it.each(INVALID)("answers %s with 400 tsmicro.malformed naming the field", async (_what, json, detail) => {
      const err = await module.client.call("hazards", "Hazards.Put", json).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect(err).toMatchObject({ code: 400, id: "tsmicro.malformed" });
      expect((err as MicroError).detail).toMatch(detail);
    });

    it.each(VALID)("serves %s in JSON and the same value in protobuf", async (_what, json, _native, back) => {
      expect(await module.client.call("hazards", "Hazards.Put", json)).toMatchObject(back);
      const native = item.fromJSON(json);
      const viaProtobuf = await module.client.call("hazards", "Hazards.Put", native, { contentType: "application/protobuf", schema: put });
      expect(item.toJSON(viaProtobuf)).toMatchObject(back);
    });
  });
});
