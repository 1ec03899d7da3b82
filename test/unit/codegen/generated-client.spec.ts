import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Handler, ProtoTypes, Service, Test, generate, type Context, type TestingModule } from "../../../src";
// Generated from all.proto (streams, an import, two packages); the first test keeps it fresh.
import * as pb from "../../fixtures/proto/all.pb";
import type * as AllPb from "../../fixtures/proto/all.pb";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "proto");

@Service("store")
class Store implements AllPb.StoreHandler {
  @Handler()
  async put(req: AllPb.Everything): Promise<AllPb.Scalars> {
    return { fInt64: req.number, fString: req.color, fBytes: req.scalars?.fBytes };
  }

  @Handler()
  async *list(req: AllPb.DemoCommon_Point): AsyncIterable<AllPb.Everything> {
    for (let i = 0; i < 3; i++) yield { points: [{ x: req.x, y: i }] };
  }

  @Handler()
  async upload(input: AsyncIterable<AllPb.Scalars>): Promise<AllPb.DemoCommon_Point> {
    let x = 0;
    for await (const s of input) x += s.fInt32 ?? 0;
    return { x };
  }

  @Handler()
  async *chat(input: AsyncIterable<AllPb.DemoCommon_Point>, _ctx: Context): AsyncIterable<AllPb.DemoCommon_Point> {
    for await (const p of input) yield { x: (p.x ?? 0) * 10, y: p.y };
  }
}

describe("a generated client against a service implementing the generated handler interface", () => {
  let app: TestingModule;
  let store: AllPb.StoreClient;

  beforeAll(async () => {
    app = await Test.createTestingModule({ services: [Store], providers: [{ provide: ProtoTypes, useValue: pb.AllProto }] }).compile();
    store = new pb.StoreClient(app.client, "store");
  });
  afterAll(async () => {
    await app?.close();
  });

  it("uses the code micro generate emits for all.proto today", () => {
    const [fresh] = generate([join(FIXTURES, "all.proto")], { importFrom: "../../../src" });
    expect(readFileSync(join(FIXTURES, "all.pb.ts"), "utf8")).toBe(fresh!.content);
  });

  it("calls a unary rpc in protobuf, int64 beyond 2^53 and bytes intact", async () => {
    const res = await store.put({ number: "9007199254740993", color: "GREEN", scalars: { fBytes: new Uint8Array([0, 255]) } });
    expect(res.fInt64).toBe("9007199254740993");
    expect(res.fString).toBe("GREEN");
    expect(Buffer.from(res.fBytes!)).toEqual(Buffer.from([0, 255]));
  });

  it("calls the same rpc in JSON when asked", async () => {
    const res = await store.put({ number: "-3" }, { contentType: "application/json" });
    expect(res).toMatchObject({ fInt64: "-3" });
  });

  it("reads a server stream as an async iterable", async () => {
    const got: number[] = [];
    for await (const e of store.list({ x: 5 })) got.push(e.points![0]!.y!);
    expect(got).toEqual([0, 1, 2]);
  });

  it("sends a client stream from an iterable and gets the one response", async () => {
    expect(await store.upload([{ fInt32: 1 }, { fInt32: 2 }, { fInt32: 39 }])).toEqual({ x: 42, y: 0 });
  });

  it("runs a bidi stream from an async iterable", async () => {
    async function* points(): AsyncIterable<AllPb.DemoCommon_Point> {
      for (let i = 1; i <= 3; i++) yield { x: i, y: i };
    }
    const got: number[] = [];
    for await (const p of store.chat(points())) got.push(p.x!);
    expect(got).toEqual([10, 20, 30]);
  });

  it("encodes and decodes messages with the exported helpers", () => {
    const bytes = pb.Everything.encode({ colors: ["RED", "GREEN"], byId: { "2": { x: 2 } } });
    expect(pb.Everything.decode(bytes)).toMatchObject({ colors: ["RED", "GREEN"], byId: { "2": { x: 2, y: 0 } } });
    expect(pb.Everything.toJSON({ number: "1" })).toEqual({ number: "1" });
  });
});
