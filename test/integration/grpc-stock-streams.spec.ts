import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { MemoryRegistry, ProtoRegistry, RpcServer, SilentLogger, type HandlerDescriptor } from "../../src";
import type { Context } from "../../src/metadata/context";
import { GrpcTransport } from "../../src/transport/grpc";
import { killAll, ROOT, runProcess } from "../helpers/processes";

// A stock @grpc/grpc-js client (test/fixtures/grpc-stock/stream-client.mjs, its own process, no
// tsmicro import) drives the three stream kinds of a tsmicro server on --transport=grpc, in
// protobuf from streams.proto, and cancels a server stream half way.

const FIXTURES = join(ROOT, "test", "fixtures", "grpc-stock");
const protos = ProtoRegistry.load(join(FIXTURES, "streams.proto"));
let cancelledWith: number | undefined;

const handlers: HandlerDescriptor[] = [
  {
    endpoint: "Streamer.Count",
    validate: false,
    metadata: {},
    stream: "server",
    schema: protos.method("streams.Streamer.Count"),
    invoke: async (req: unknown, ctx: Context) =>
      (async function* () {
        ctx.signal.addEventListener("abort", () => (cancelledWith = (ctx.signal.reason as { code: number }).code));
        const n = (req as { n: number }).n;
        for (let i = 0; i < n && !ctx.signal.aborted; i++) yield { i };
      })(),
  },
  {
    endpoint: "Streamer.Sum",
    validate: false,
    metadata: {},
    stream: "client",
    schema: protos.method("streams.Streamer.Sum"),
    invoke: async (input: unknown) => {
      let sum = 0n;
      for await (const m of input as AsyncIterable<{ v: string }>) sum += BigInt(m.v);
      return { sum: String(sum) };
    },
  },
  {
    endpoint: "Streamer.Chat",
    validate: false,
    metadata: {},
    stream: "bidi",
    schema: protos.method("streams.Streamer.Chat"),
    invoke: async (input: unknown) =>
      (async function* () {
        for await (const m of input as AsyncIterable<{ v: string }>) yield { v: String(BigInt(m.v) * 2n) };
      })(),
  },
];

describe("a stock grpc-js client streams with a tsmicro server", () => {
  let server: RpcServer;
  let outcome: Record<string, unknown>;

  beforeAll(async () => {
    server = new RpcServer({ name: `streams-${randomUUID()}`, registry: new MemoryRegistry(), transport: new GrpcTransport(), logger: new SilentLogger() });
    server.handle(handlers);
    await server.start();
    const run = await runProcess(process.execPath, [join(FIXTURES, "stream-client.mjs"), server.address], { timeoutMs: 30_000 });
    if (run.code !== 0) throw new Error(`stock stream client failed (${run.code}): ${run.stderr}`);
    outcome = JSON.parse(run.stdout) as Record<string, unknown>;
  });

  afterAll(async () => {
    await server?.stop();
    await killAll();
  });

  it("server streaming: 5000 messages in order", () => {
    expect(outcome.count).toEqual({ count: 5000, ordered: true });
  });

  it("client streaming: int64 values summed", () => {
    expect(outcome.sum).toEqual({ sum: String((3000 * 3001) / 2) });
  });

  it("bidirectional streaming: every message answered in order", () => {
    expect(outcome.chat).toEqual({ count: 3000, doubled: true });
  });

  it("a stock client's cancel reaches the handler as 499", async () => {
    expect(outcome.cancelled).toEqual({ code: "CANCELLED" });
    while (cancelledWith === undefined) await new Promise((r) => setImmediate(r));
    expect(cancelledWith).toBe(499);
  });
});
