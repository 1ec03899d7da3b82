import { randomUUID } from "node:crypto";
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import { createConnection } from "node:net";
import { MemoryRegistry, RegistrySelector, RpcClient, RpcServer, SilentLogger, type HandlerDescriptor } from "../../../../src";
import type { Context } from "../../../../src/metadata/context";
import { GrpcTransport } from "../../../../src/transport/grpc";
import { frameMessage } from "../../../../src/transport/grpc/framing";

// The boundary a gRPC listener faces: cancellation and deadlines arriving as HTTP/2 resets,
// the drain seen by health checks, and requests that are not well-formed gRPC.

let aborted: Array<{ endpoint: string; code: number }>;
let release: (() => void) | undefined;
const held = (endpoint: string): HandlerDescriptor => ({
  endpoint,
  validate: false,
  metadata: {},
  invoke: (_req: unknown, ctx: Context) =>
    new Promise((resolve, reject) => {
      release = () => resolve({ done: true });
      ctx.signal.addEventListener("abort", () => {
        aborted.push({ endpoint, code: (ctx.signal.reason as { code: number }).code });
        reject(ctx.signal.reason as Error);
      });
    }),
});
const handlers: HandlerDescriptor[] = [
  held("Svc.Hold"),
  {
    endpoint: "Svc.SpeakFirst",
    validate: false,
    metadata: {},
    stream: "bidi",
    invoke: async (input: unknown, ctx: Context) =>
      (async function* () {
        yield { hello: "first", metadata: Object.keys(ctx.metadata) };
        for await (const m of input as AsyncIterable<unknown>) yield m;
      })(),
  },
  { endpoint: "Svc.Echo", validate: false, metadata: {}, invoke: async (req: unknown) => req },
  {
    endpoint: "Svc.Ticks",
    validate: false,
    metadata: {},
    stream: "server",
    invoke: async (_req: unknown, ctx: Context) =>
      (async function* () {
        ctx.signal.addEventListener("abort", () => aborted.push({ endpoint: "Svc.Ticks", code: (ctx.signal.reason as { code: number }).code }));
        for (let i = 0; !ctx.signal.aborted; i++) {
          yield { i };
          await new Promise((r) => setTimeout(r, 5));
        }
      })(),
  },
];

let server: RpcServer;
let address: string;
let name: string;
let sessions: ClientHttp2Session[];

beforeEach(async () => {
  aborted = [];
  release = undefined;
  sessions = [];
  name = `grpc-b-${randomUUID()}`;
  server = new RpcServer({ name, registry: new MemoryRegistry(), transport: new GrpcTransport(), logger: new SilentLogger() });
  server.handle(handlers);
  await server.start();
  address = server.address;
});

afterEach(async () => {
  for (const s of sessions) s.destroy();
  release?.();
  await server.stop();
});

function h2(): ClientHttp2Session {
  const s = connect(`http://${address}`);
  s.on("error", () => undefined);
  sessions.push(s);
  return s;
}

interface Answer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
}

function raw(session: ClientHttp2Session, path: string, payload: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc+json", te: "trailers", ...headers });
    let answer: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on("response", (h) => (answer = h));
    req.on("trailers", (t) => (trailers = t));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("close", () => resolve({ headers: answer, trailers, body: Buffer.concat(chunks) }));
    req.on("error", reject);
    if (req.writableEnded) return; // a GET ends with its headers
    req.end(payload);
  });
}

const status = (a: Answer): string | undefined => (a.trailers["grpc-status"] ?? a.headers["grpc-status"]) as string | undefined;

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

describe("grpc listener: cancellation and deadlines reach the handler", () => {
  it("a caller's abort resets the call and aborts ctx.signal with 499", async () => {
    const client = new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport: new GrpcTransport(), retries: 0 });
    const ac = new AbortController();
    const call = client.call(name, "Svc.Hold", {}, { address, signal: ac.signal });
    await until(() => release !== undefined);
    ac.abort();
    await expect(call).rejects.toMatchObject({ code: 499 });
    await until(() => aborted.length > 0);
    expect(aborted).toEqual([{ endpoint: "Svc.Hold", code: 499 }]);
    await client.close();
  });

  it("grpc-timeout sets the handler's deadline: DEADLINE_EXCEEDED for a stock caller", async () => {
    const a = await raw(h2(), "/x.Svc/Hold", frameMessage(Buffer.from("{}")), { "grpc-timeout": "100m" });
    expect(status(a)).toBe("4");
    expect(aborted).toEqual([{ endpoint: "Svc.Hold", code: 408 }]);
  });

  it("cancelling a server stream aborts the handler", async () => {
    const client = new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport: new GrpcTransport(), retries: 0 });
    const s = client.stream<unknown, { i: number }>(name, "Svc.Ticks", { address });
    await s.send({});
    await s.close();
    for await (const m of s) if (m.i === 3) break; // leaving the loop cancels
    await until(() => aborted.length > 0);
    expect(aborted[0]).toEqual({ endpoint: "Svc.Ticks", code: 499 });
    await client.close();
  });
});

describe("grpc listener: streams open with the call", () => {
  // Regression: a stream opened only with the client's first message, so a bidi handler that
  // speaks first waited for a client that was waiting for it.
  it("a bidi handler that speaks first is heard before the client sends anything", async () => {
    const req = h2().request({ ":method": "POST", ":path": "/x.Svc/SpeakFirst", "content-type": "application/grpc+json", te: "trailers", "x-tenant": "t1" });
    const first = await new Promise<Buffer>((resolve) => req.once("data", (c: Buffer) => resolve(c)));
    expect(JSON.parse(first.subarray(5).toString())).toEqual({ hello: "first", metadata: ["X-Tenant"] });
    req.end(frameMessage(Buffer.from('{"echo":1}')));
    const rest: Buffer[] = [];
    req.on("data", (c: Buffer) => rest.push(c));
    const trailers = await new Promise<IncomingHttpHeaders>((resolve) => req.once("trailers", resolve));
    expect(trailers["grpc-status"]).toBe("0");
    expect(Buffer.concat(rest).subarray(5).toString()).toBe('{"echo":1}');
  });
});

describe("grpc listener: draining", () => {
  it("health says NOT_SERVING while a call drains, and the call still completes", async () => {
    const session = h2();
    const healthCheck = (): Promise<Answer> => raw(session, "/grpc.health.v1.Health/Check", frameMessage(Buffer.from("{}")));
    expect((await healthCheck()).body.subarray(5).toString()).toBe('{"status":"SERVING"}');
    const call = raw(session, "/x.Svc/Hold", frameMessage(Buffer.from("{}")));
    await until(() => release !== undefined);
    const stopping = server.stop();
    // The connection got GOAWAY; a health checker dials a new one per probe, as grpc_health_probe does.
    const probe = (): Promise<Answer> => raw(h2(), "/grpc.health.v1.Health/Check", frameMessage(Buffer.from("{}")));
    let during = await probe();
    while (during.body.subarray(5).toString() === '{"status":"SERVING"}') during = await probe(); // until the stop reaches the listener
    expect(during.body.subarray(5).toString()).toBe('{"status":"NOT_SERVING"}');
    const refused = await raw(h2(), "/x.Svc/Echo", frameMessage(Buffer.from("{}")));
    expect(status(refused)).toBe("14");
    expect(refused.headers["micro-error"]).toContain("tsmicro.draining");
    release!();
    const a = await call;
    expect(status(a)).toBe("0");
    expect(a.body.subarray(5).toString()).toBe('{"done":true}');
    await stopping;
  });
});

describe("grpc listener: malformed requests", () => {
  it("a compressed message is INVALID_ARGUMENT; an oversize one RESOURCE_EXHAUSTED; the server stays up", async () => {
    const session = h2();
    const compressed = Buffer.from([1, 0, 0, 0, 2, 0x7b, 0x7d]);
    expect(status(await raw(session, "/x.Svc/Echo", compressed))).toBe("3");
    const huge = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
    expect(status(await raw(session, "/x.Svc/Echo", huge))).toBe("8");
    const ok = await raw(session, "/x.Svc/Echo", frameMessage(Buffer.from('{"a":1}')));
    expect(status(ok)).toBe("0");
    expect(ok.body.subarray(5).toString()).toBe('{"a":1}');
  });

  it("a truncated message, two messages to a unary method and none at all are refused", async () => {
    const session = h2();
    expect(status(await raw(session, "/x.Svc/Echo", Buffer.from([0, 0, 0, 0, 9, 1])))).toBe("3");
    expect(status(await raw(session, "/x.Svc/Echo", Buffer.concat([frameMessage(Buffer.from("{}")), frameMessage(Buffer.from("{}"))])))).toBe("3");
    expect(status(await raw(session, "/x.Svc/Echo", Buffer.alloc(0)))).toBe("3");
  });

  it("a non-gRPC content type is HTTP 415, a GET is HTTP 405, a malformed body is INVALID_ARGUMENT", async () => {
    const session = h2();
    expect((await raw(session, "/x.Svc/Echo", Buffer.alloc(0), { "content-type": "text/plain" })).headers[":status"]).toBe(415);
    expect((await raw(session, "/x.Svc/Echo", Buffer.alloc(0), { ":method": "GET" })).headers[":status"]).toBe(405);
    const bad = await raw(session, "/x.Svc/Echo", frameMessage(Buffer.from("{nope")));
    expect(status(bad)).toBe("3");
    expect(bad.headers["grpc-message"]).toContain("malformed");
  });

  it("bytes that are not HTTP/2 close only that connection", async () => {
    const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
    const sock = createConnection({ host, port });
    sock.on("error", () => undefined);
    await new Promise<void>((resolve) => {
      sock.on("connect", () => sock.write("GARBAGE GARBAGE GARBAGE GARBAGE\r\n\r\n"));
      sock.resume(); // read the server's GOAWAY and the end of the connection
      sock.on("close", () => resolve());
    });
    const ok = await raw(h2(), "/x.Svc/Echo", frameMessage(Buffer.from("{}")));
    expect(status(ok)).toBe("0");
  });
});

describe("grpc listener: handshake", () => {
  it("a connection that never sends its HTTP/2 preface is closed after handshakeTimeoutMs", async () => {
    const t = new GrpcTransport({ handshakeTimeoutMs: 100 });
    const listener = await t.listen("127.0.0.1:0", () => undefined);
    const port = Number(listener.address.slice(listener.address.lastIndexOf(":") + 1));
    const sock = createConnection({ host: "127.0.0.1", port });
    sock.on("error", () => undefined);
    sock.resume();
    await new Promise<void>((resolve) => sock.on("close", () => resolve()));
    await listener.close();
  });
});

describe("grpc client: connections", () => {
  it("dialling a port nobody listens on is 503 tsmicro.connection (never delivered)", async () => {
    const t = new GrpcTransport();
    const probe = await t.listen("127.0.0.1:0", () => undefined);
    const free = probe.address;
    await probe.close();
    await expect(t.dial(free, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 503, id: "tsmicro.connection" });
    await t.close();
  });

  it("a tsmicro client's call in flight when the server stops still gets its reply", async () => {
    const client = new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport: new GrpcTransport(), retries: 0 });
    const call = client.call(name, "Svc.Hold", {}, { address });
    await until(() => release !== undefined);
    const stopping = server.stop();
    release!();
    await expect(call).resolves.toEqual({ done: true });
    await stopping;
    await client.close();
  });
});
