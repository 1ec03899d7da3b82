import { CodecSet, JsonCodec, JsonRpcCodec } from "../../../src";

const frame = { type: "request" as const, id: "9", endpoint: "Svc.Do" };

describe("codecs", () => {
  it("json round-trips and decodes an empty body as {}", () => {
    const c = new JsonCodec();
    expect(c.unmarshal(c.marshal({ a: [1] }), frame)).toEqual({ a: [1] });
    expect(c.unmarshal(Buffer.alloc(0), frame)).toEqual({});
    expect(() => c.unmarshal(Buffer.from("{x"), frame)).toThrow();
  });

  it("json-rpc wraps requests and responses in go-micro's envelope", () => {
    const c = new JsonRpcCodec();
    expect(JSON.parse(c.marshal({ a: 1 }, frame).toString())).toEqual({ method: "Svc.Do", params: [{ a: 1 }], id: "9" });
    expect(c.unmarshal(Buffer.from('{"method":"Svc.Do","params":[{"a":1}],"id":1}'), frame)).toEqual({ a: 1 });
    const res = { ...frame, type: "response" as const };
    expect(c.unmarshal(c.marshal({ ok: true }, res), res)).toEqual({ ok: true });
    expect(() => c.unmarshal(Buffer.from('{"method":"x"}'), frame)).toThrow(/params/);
  });

  it("CodecSet picks by Content-Type, ignoring parameters, and answers 415 listing the supported ones", () => {
    const set = new CodecSet([new JsonCodec(), new JsonRpcCodec()]);
    expect(set.get("application/json; charset=utf-8").name).toBe("json");
    expect(set.get("Application/JSON-RPC").name).toBe("json-rpc");
    expect(() => set.get("text/xml")).toThrow(expect.objectContaining({ code: 415, detail: expect.stringContaining("application/json, application/json-rpc") }));
  });
});
