import * as path from "node:path";
import { Handler, ProtoRegistry, ProtoTypes, Service, Test, type TestingModule } from "../../../src";

// Regression: a field named like an Object.prototype member read that member (`constructor` came back
// as "function Object() { [native code] }") when unset, in JSON and protobuf alike.
const HAZARDS = path.join(__dirname, "../../fixtures/proto/hazards.proto");
const registry = ProtoRegistry.load(HAZARDS);
const schema = registry.message("demo.hazards.Inherited");
const echo = registry.method("demo.hazards.Hazards.Echo");

// .proto name → the key in the native form (what handlers see and generated types declare).
const NAMES: ReadonlyArray<[string, string]> = [
  ["constructor", "constructor_"],
  ["toString", "toString_"],
  ["hasOwnProperty", "hasOwnProperty_"],
  ["valueOf", "valueOf_"],
  ["__proto__", "_Proto__"],
];

@Service("hazards")
class Hazards {
  received: Record<string, unknown>[] = [];

  @Handler({ proto: "demo.hazards.Hazards.Echo" })
  async echo(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.received.push(req);
    return req;
  }
}

describe("fields named like Object.prototype members", () => {
  it.each(NAMES)("%s: an unset field decodes to its default, not the inherited member", (_name, key) => {
    expect(schema.fromJSON({ id: "x" })).toMatchObject({ id: "x", [key]: "" });
    expect(schema.decode(schema.encode({ id: "x" }))).toMatchObject({ id: "x", [key]: "" });
    expect(schema.toJSON({ id: "x" })).toEqual({ id: "x" });
  });

  it.each(NAMES)("%s: a set field round-trips JSON ↔ protobuf under its JSON name", (name, key) => {
    const jsonName = name === "__proto__" ? key : name;
    const native = schema.fromJSON(JSON.parse(`{"id":"x",${JSON.stringify(jsonName)}:"v"}`));
    expect(native).toMatchObject({ [key]: "v" });
    expect(Object.getPrototypeOf(native)).toBe(Object.prototype);
    const back = schema.decode(schema.encode(native));
    expect(back).toMatchObject({ [key]: "v" });
    expect(schema.toJSON(back)).toMatchObject({ id: "x", [jsonName]: "v" });
    if (jsonName !== key) expect(schema.toJSON(back)).not.toHaveProperty([key]);
  });

  it("keeps oneof membership and non-string types of a renamed field", () => {
    const native = schema.fromJSON({ propertyIsEnumerable: "p", isPrototypeOf: 3 });
    expect(native).toMatchObject({ propertyIsEnumerable_: "p", isPrototypeOf_: 3 });
    expect(() => schema.fromJSON({ propertyIsEnumerable: "p", other: 1 })).toThrow(/same oneof "pick"/);
    expect(schema.decode(schema.encode({ other: 2 }))).toMatchObject({ other: 2 });
    expect(schema.decode(schema.encode({ other: 2 }))).not.toHaveProperty("propertyIsEnumerable_");
  });

  describe("through a handler", () => {
    let module: TestingModule;
    beforeAll(async () => {
      module = await Test.createTestingModule({ services: [Hazards], providers: [{ provide: ProtoTypes, useValue: registry }] }).compile();
    });
    afterAll(async () => {
      await module?.close();
    });

    it.each(["application/json", "application/protobuf"])("%s: the handler receives defaults and the caller gets no inherited member", async (contentType) => {
      const res = (await module.client.call("hazards", "Hazards.Echo", { id: "x" }, { contentType, schema: echo })) as Record<string, unknown>;
      for (const [name, key] of NAMES) {
        expect(Object.prototype.hasOwnProperty.call(res, name) ? res[name] : "").toBe("");
        if (contentType !== "application/json") expect(res[key]).toBe("");
      }
      const received = module.get(Hazards).received.at(-1)!;
      for (const [, key] of NAMES) expect(received[key]).toBe("");
    });
  });
});
