import * as path from "node:path";
import { Root } from "protobufjs";
import { IsString, Length } from "class-validator";
import { Handler, MicroError, ProtoRegistry, ProtoTypes, Service, Test, type TestingModule } from "../../../src";
import type { Context } from "../../../src";

const GREETER_PROTO = path.join(__dirname, "../../../samples/greeter/greeter.proto");
const ALL_PROTO = path.join(__dirname, "../../fixtures/proto/all.proto");
const protos = ProtoRegistry.load(GREETER_PROTO);
const hello = protos.method("greeter.Greeter.Hello");

class HelloRequest {
  @IsString()
  @Length(1, 64)
  name!: string;
}

@Service("greeter")
class Greeter {
  @Handler()
  async hello(req: HelloRequest, _ctx: Context): Promise<{ greeting: string }> {
    return { greeting: `Hello ${req.name}` };
  }
}

interface Point {
  x?: number;
  y?: number;
}

@Service("store")
class Store {
  // Typed with an interface: the .proto is the type, there is no class to validate against.
  @Handler({ proto: "demo.all.Store.Put" })
  async put(req: { number?: string; color?: string }): Promise<Record<string, unknown>> {
    return { fInt64: req.number, fString: req.color };
  }

  @Handler("Store.List")
  async *list(req: Point): AsyncIterable<Record<string, unknown>> {
    for (let i = 0; i < 3; i++) yield { points: [{ x: req.x, y: i }], number: String(2n ** 60n + BigInt(i)) };
  }
}

describe("handlers whose types come from a .proto", () => {
  let greeter: TestingModule;
  let store: TestingModule;

  beforeAll(async () => {
    greeter = await Test.createTestingModule({ services: [Greeter], providers: [{ provide: ProtoTypes, useValue: protos }] }).compile();
    store = await Test.createTestingModule({ services: [Store], providers: [{ provide: ProtoTypes, useFactory: () => ProtoRegistry.load(ALL_PROTO) }] }).compile();
  });
  afterAll(async () => {
    await greeter?.close();
    await store?.close();
  });

  it("matches Greeter.Hello to rpc Hello of service greeter.Greeter and serves it in protobuf", async () => {
    const res = await greeter.client.call("greeter", "Greeter.Hello", { name: "John" }, { contentType: "application/protobuf", schema: hello });
    expect(res).toEqual({ greeting: "Hello John" });
  });

  it("serves the same handler in JSON, proto-rpc and application/x-protobuf", async () => {
    expect(await greeter.client.call("greeter", "Greeter.Hello", { name: "Jo" })).toEqual({ greeting: "Hello Jo" });
    for (const contentType of ["application/proto-rpc", "application/x-protobuf", "application/json-rpc"]) {
      expect(await greeter.client.call("greeter", "Greeter.Hello", { name: "Jo" }, { contentType, schema: hello })).toEqual({ greeting: "Hello Jo" });
    }
  });

  it("still validates the decoded request against its class", async () => {
    const err = await greeter.client.call("greeter", "Greeter.Hello", { name: "" }, { contentType: "application/protobuf", schema: hello }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicroError);
    expect(err).toMatchObject({ code: 400, id: "tsmicro.validation" });
    expect((err as MicroError).detail).toContain("name");
  });

  it("answers malformed protobuf with 400 tsmicro.malformed and the decoder's detail", async () => {
    const garbage = Buffer.from([0x0a, 0x05, 0x41]); // field 1 says 5 bytes, 1 follows
    const err = await greeter.client.call("greeter", "Greeter.Hello", garbage, { contentType: "application/protobuf", schema: hello }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 400, id: "tsmicro.malformed" });
    expect((err as MicroError).detail).toMatch(/^malformed protobuf body: .+/);
  });

  it("maps a JSON request with proto3 JSON: int64 as string, enum by number or name", async () => {
    const res = await store.client.call("store", "Store.Put", { number: "9007199254740993", color: 2 });
    expect(res).toEqual({ fInt64: "9007199254740993", fString: "GREEN" });
  });

  it("answers protobuf for a handler typed by interface and named by @Handler({ proto })", async () => {
    const put = ProtoRegistry.load(ALL_PROTO).method("demo.all.Store.Put");
    const res = await store.client.call("store", "Store.Put", { number: "-1", color: "RED" }, { contentType: "application/protobuf", schema: put });
    expect(res).toMatchObject({ fInt64: "-1", fString: "RED", fBool: false });
  });

  it("streams a server-streaming rpc in protobuf, its kind taken from the .proto", async () => {
    const list = ProtoRegistry.load(ALL_PROTO).method("demo.all.Store.List");
    const stream = store.client.stream<Point, { number: string; points: Point[] }>("store", "Store.List", { contentType: "application/protobuf", schema: list });
    await stream.send({ x: 4 });
    await stream.close();
    const got: string[] = [];
    for await (const m of stream) got.push(`${m.number}:${m.points[0]!.x}`);
    expect(got).toEqual(["1152921504606846976:4", "1152921504606846977:4", "1152921504606846978:4"]);
  });

  it("answers 400 naming the remedy when protobuf reaches a handler without a .proto", async () => {
    @Service("plain")
    class Plain {
      @Handler({ validate: false })
      async echo(req: unknown): Promise<unknown> {
        return req;
      }
    }
    const plain = await Test.createTestingModule({ services: [Plain] }).compile();
    try {
      const err = await plain.client.call("plain", "Plain.Echo", {}, { contentType: "application/protobuf", schema: hello }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 400, id: "tsmicro.malformed" });
      expect((err as MicroError).detail).toContain("give the service its .proto");
    } finally {
      await plain.close();
    }
  });

  it("answers 400 on the client, sending nothing, when a protobuf request has no message type or the wrong shape", async () => {
    const noSchema = await greeter.client.call("greeter", "Greeter.Hello", { name: "x" }, { contentType: "application/protobuf" }).catch((e: unknown) => e);
    expect(noSchema).toMatchObject({ code: 400 });
    expect((noSchema as MicroError).detail).toMatch(/cannot encode the request to "Greeter.Hello" as protobuf: no protobuf message type/);
    const wrongShape = await greeter.client.call("greeter", "Greeter.Hello", "John", { contentType: "application/protobuf", schema: hello }).catch((e: unknown) => e);
    expect(wrongShape).toMatchObject({ code: 400 });
    expect((wrongShape as MicroError).detail).toContain("object expected");
  });

  it("passes application/octet-stream bodies through as bytes both ways", async () => {
    @Service("blobs")
    class Blobs {
      @Handler({ validate: false })
      async reverse(req: Buffer): Promise<Uint8Array> {
        return Uint8Array.from(req).reverse();
      }
    }
    const blobs = await Test.createTestingModule({ services: [Blobs] }).compile();
    try {
      const res = await blobs.client.call<Buffer>("blobs", "Blobs.Reverse", Buffer.from([0, 1, 255]), { contentType: "application/octet-stream" });
      expect(Buffer.isBuffer(res)).toBe(true);
      expect([...res]).toEqual([255, 1, 0]);
    } finally {
      await blobs.close();
    }
  });

  it("takes a protobufjs Root as ProtoTypes and injects it as a ProtoRegistry", async () => {
    const root = new Root();
    root.loadSync(GREETER_PROTO);
    const app = await Test.createTestingModule({ services: [Greeter], providers: [{ provide: ProtoTypes, useFactory: async () => root }] }).compile();
    try {
      expect(app.get(ProtoTypes)).toBeInstanceOf(ProtoRegistry);
      expect(await app.client.call("greeter", "Greeter.Hello", { name: "Root" }, { contentType: "application/protobuf", schema: hello })).toEqual({ greeting: "Hello Root" });
    } finally {
      await app.close();
    }
    await expect(Test.createTestingModule({ services: [Greeter], providers: [{ provide: ProtoTypes, useValue: "greeter.proto" }] }).compile()).rejects.toThrow(/ProtoTypes must be a ProtoRegistry/);
  });

  it("refuses at creation a handler naming a .proto method that does not exist", async () => {
    @Service("bad")
    class Bad {
      @Handler({ proto: "greeter.Greeter.Nope" })
      async nope(): Promise<void> {}
    }
    await expect(Test.createTestingModule({ services: [Bad], providers: [{ provide: ProtoTypes, useValue: protos }] }).compile()).rejects.toThrow(/Bad.Nope: .*"greeter.Greeter.Nope"/);
  });
});
