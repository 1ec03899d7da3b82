import { createServer, request, type IncomingHttpHeaders } from "node:http";
import { connect, type AddressInfo, type Socket as NetSocket } from "node:net";
import { ErrorIds, MicroError } from "../../../src/errors";
import { Headers } from "../../../src/transport/headers";
import { HttpTransport } from "../../../src/transport/http";
import type { Listener, Message, Socket } from "../../../src/transport/transport";
import { describeTransportContract, dialCaller, echo, within } from "../../contract/transport.contract";

describeTransportContract("http", () => new HttpTransport());

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with node:http, no agent, as curl or another language's client would send it. */
function post(address: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }): Promise<RawResponse> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method: options.method ?? "POST", path: options.path ?? "/", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    if (options.chunked) {
      // Several writes without a Content-Length: node sends them chunked.
      const body = Buffer.from(options.body ?? "");
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

/** A raw TCP connection that collects everything the server sends. */
function rawConnection(address: string): Promise<{ conn: NetSocket; text: () => string; closed: Promise<void>; waitFor: (s: string) => Promise<void> }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const conn = connect(Number(port), host, () => {
      let data = "";
      const waiters: Array<() => void> = [];
      conn.on("data", (d: Buffer) => {
        data += d.toString("latin1");
        waiters.splice(0).forEach((w) => w());
      });
      const closed = new Promise<void>((r) => conn.on("close", () => r()));
      const waitFor = async (s: string): Promise<void> => {
        while (!data.includes(s)) await within(new Promise<void>((r) => waiters.push(r)), 5000, `waiting for ${JSON.stringify(s)}`);
      };
      resolve({ conn, text: () => data, closed, waitFor });
    });
    conn.on("error", reject);
  });
}

describe("HttpTransport", () => {
  let transport: HttpTransport;
  let listener: Listener;
  let received: Message[];

  async function start(handle: (socket: Socket, m: Message) => void = echo, t = new HttpTransport()): Promise<void> {
    transport = t;
    received = [];
    listener = await transport.listen("127.0.0.1:0", (socket) => socket.onMessage((m) => (received.push(m), handle(socket, m))), { maxBodyBytes: 1024 });
  }

  afterEach(async () => {
    await listener?.close();
    await transport?.close();
  });

  it("serves a curl-like request without Micro-Id, canonicalising header names", async () => {
    await start();
    const res = await post(listener.address, {
      headers: { "micro-service": "greeter", "micro-endpoint": "Greeter.Hello", "content-type": "application/json" },
      body: '{"name":"John"}',
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"name":"John"}');
    expect(res.headers["micro-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(received[0]!.header).toMatchObject({ "Micro-Service": "greeter", "Micro-Endpoint": "Greeter.Hello", "Content-Type": "application/json" });
    expect(received[0]!.header["Micro-Id"]).toBe(res.headers["micro-id"]);
    // Framing headers belong to HTTP, not to the message.
    expect(received[0]!.header["Host"]).toBeUndefined();
    expect(received[0]!.header["Content-Length"]).toBeUndefined();
  });

  it("answers other methods with 405 and other paths with 404", async () => {
    await start();
    const get = await post(listener.address, { method: "GET" });
    expect(get.status).toBe(405);
    expect(MicroError.parse(String(get.headers["micro-error"]))).toMatchObject({ code: 405, id: ErrorIds.methodNotAllowed });
    const other = await post(listener.address, { path: "/rpc", body: "x" });
    expect(other.status).toBe(404);
    expect(MicroError.parse(String(other.headers["micro-error"]))).toMatchObject({ code: 404, id: ErrorIds.notFound });
    expect(received).toHaveLength(0);
  });

  it("refuses a chunked body once it passes the limit", async () => {
    await start();
    const res = await post(listener.address, { body: Buffer.alloc(256 * 1024, 1), chunked: true, headers: { "Micro-Id": "c1" } });
    expect(res.status).toBe(413);
    expect(res.headers["micro-id"]).toBe("c1");
    expect(MicroError.parse(String(res.headers["micro-error"]))).toMatchObject({ code: 413, id: ErrorIds.tooLarge });
    expect(received).toHaveLength(0);
  });

  it("refuses an oversized Expect: 100-continue request before the body is sent", async () => {
    await start();
    const { conn, waitFor, text, closed } = await rawConnection(listener.address);
    conn.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n");
    await waitFor("\r\n\r\n");
    await closed;
    expect(text()).toMatch(/^HTTP\/1\.1 413 /);
    expect(text()).not.toContain("100 Continue");
  });

  it("survives garbage bytes and serves the next client", async () => {
    await start();
    const { conn, text, closed } = await rawConnection(listener.address);
    conn.write("\x00\x01\x02 this is not HTTP \xff\r\n\r\n");
    await within(closed, 5000, "garbage connection closing");
    expect(text()).toMatch(/^HTTP\/1\.1 400 /);
    // The error is in the Micro-Error header and, like every refusal, the body.
    const body = text().slice(text().indexOf("\r\n\r\n") + 4);
    expect(MicroError.parse(body)).toMatchObject({ code: 400, id: ErrorIds.malformed });
    expect(text()).toContain(`Micro-Error: ${body}`);
    const caller = await dialCaller(transport, listener.address);
    const reply = await caller.call({ header: { "Micro-Id": "ok" }, body: Buffer.from("fine") });
    expect(reply.body.toString()).toBe("fine");
  });

  it("answers a request that arrives on an open connection after close began with 503 draining", async () => {
    await start();
    const { conn, waitFor, text, closed } = await rawConnection(listener.address);
    // One complete request, then the start of a second in the same write: the connection is busy.
    conn.write("POST / HTTP/1.1\r\nHost: x\r\nMicro-Id: a\r\nContent-Length: 1\r\n\r\naPOST / HTTP/1.1\r\nHost: x\r\n");
    await waitFor("\r\n\r\na");
    const closing = listener.close();
    conn.write("Micro-Id: b\r\nContent-Length: 1\r\n\r\nb");
    await within(closed, 5000, "connection closing");
    const second = text().slice(text().indexOf("\r\n\r\na") + 5);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toContain(ErrorIds.draining);
    expect(second.toLowerCase()).toContain("connection: close");
    await within(closing, 5000, "listener close");
    expect(received.map((m) => m.header["Micro-Id"])).toEqual(["a"]);
  });

  it("destroys connections whose replies never come once closeTimeoutMs passes", async () => {
    transport = new HttpTransport({ closeTimeoutMs: 50 });
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    listener = await transport.listen("127.0.0.1:0", (s) => s.onMessage(() => arrived()));
    const caller = await dialCaller(transport, listener.address);
    const pending = caller.socket.send({ header: { "Micro-Id": "never" }, body: Buffer.alloc(0) });
    pending.catch(() => undefined);
    await within(arrival, 5000, "request arriving");
    await within(listener.close(), 5000, "forced close");
    // The request reached the server, so the handler may have run: lost, not "never delivered".
    await expect(pending).rejects.toMatchObject({ code: 503, id: ErrorIds.connectionLost });
  });

  it("turns a non-200 answer from a plain HTTP server into a Micro-Error reply", async () => {
    await start();
    const plain = createServer((req, res) => {
      req.resume();
      res.writeHead(418, "I'm a teapot").end("short and stout");
    });
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
    try {
      const address = `127.0.0.1:${(plain.address() as AddressInfo).port}`;
      const caller = await dialCaller(transport, address);
      const reply = await caller.call({ header: { "Micro-Id": "t1" }, body: Buffer.from("tea?") });
      const err = MicroError.parse(reply.header["Micro-Error"] ?? "");
      expect(err.code).toBe(418);
      expect(err.detail).toContain("short and stout");
      await caller.socket.close();
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });

  it("sends a request head with Host, Content-Length and keep-alive, as Go's net/http requires", async () => {
    await start();
    let head: string[] = [];
    const plain = createServer((req, res) => {
      head = req.rawHeaders;
      req.resume();
      req.on("end", () => res.writeHead(200, { [Headers.id]: "h1" }).end("ok"));
    });
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
    try {
      const address = `127.0.0.1:${(plain.address() as AddressInfo).port}`;
      const caller = await dialCaller(transport, address);
      // Framing headers in a message are the transport's own: these are replaced, not sent.
      await caller.call({ header: { [Headers.id]: "h1", "Micro-Endpoint": "Greeter.Hello", Host: "elsewhere", "Content-Length": "99" }, body: Buffer.from("hello") });
      const pairs = new Map<string, string[]>();
      for (let i = 0; i < head.length; i += 2) pairs.set(head[i]!.toLowerCase(), [...(pairs.get(head[i]!.toLowerCase()) ?? []), head[i + 1]!]);
      expect(pairs.get("host")).toEqual([address]);
      expect(pairs.get("content-length")).toEqual(["5"]);
      expect(pairs.get("connection")).toEqual(["keep-alive"]);
      expect(pairs.get("micro-endpoint")).toEqual(["Greeter.Hello"]);
      await caller.socket.close();
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });

  it("answers without a Keep-Alive hint (the sweep, not a hint, bounds idle connections) and with Date, as HTTP requires", async () => {
    await start();
    const res = await post(listener.address, { headers: { [Headers.id]: "d1" }, body: "x" });
    expect(res.status).toBe(200);
    expect(res.headers[Headers.id.toLowerCase()]).toBe("d1");
    expect(res.headers["keep-alive"]).toBeUndefined();
    // RFC 9110 §6.6.1: an origin server with a clock MUST send Date in 2xx, 3xx and 4xx responses.
    expect(Number.isNaN(Date.parse(String(res.headers.date)))).toBe(false);
  });

  it("fails a call whose response is cut short with 503 connection_lost (no error listener on the response)", async () => {
    await start();
    const plain = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { [Headers.id]: "c1", "Content-Length": 100 });
      res.write("partial", () => res.socket?.destroy());
    });
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
    try {
      const caller = await dialCaller(transport, `127.0.0.1:${(plain.address() as AddressInfo).port}`);
      await expect(caller.socket.send({ header: { [Headers.id]: "c1" }, body: Buffer.from("x") })).rejects.toMatchObject({ code: 503, id: ErrorIds.connectionLost });
      await caller.socket.close();
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });

  it("rejects sends after the transport closed its dialed sockets, and bad addresses at dial", async () => {
    await start();
    const caller = await dialCaller(transport, listener.address);
    await caller.call({ header: { "Micro-Id": "1" }, body: Buffer.from("x") });
    await transport.close();
    await expect(caller.socket.send({ header: { "Micro-Id": "2" }, body: Buffer.alloc(0) })).rejects.toMatchObject({ id: ErrorIds.connection });
    await expect(transport.dial("no-port-here")).rejects.toMatchObject({ code: 400 });
  });

  it("rejects a send whose header node cannot write, and the socket goes on serving", async () => {
    await start();
    const caller = await dialCaller(transport, listener.address);
    await expect(caller.socket.send({ header: { "Micro-Id": "b1", "Bad\nName": "x" }, body: Buffer.alloc(0) })).rejects.toBeInstanceOf(MicroError);
    const reply = await caller.call({ header: { "Micro-Id": "ok" }, body: Buffer.from("after") });
    expect(reply.body.toString()).toBe("after");
    await caller.socket.close();
  });

  it("rejects a reply whose header node cannot write, answering the caller with a 500", async () => {
    let sendError: unknown;
    await start((socket, m) => {
      socket.send({ header: { [Headers.id]: m.header[Headers.id]!, "X-Bad": "line\nbreak" }, body: Buffer.alloc(0) }).catch((e: unknown) => (sendError = e));
    });
    const caller = await dialCaller(transport, listener.address);
    const reply = await caller.call({ header: { [Headers.id]: "r1" }, body: Buffer.alloc(0) });
    expect(MicroError.parse(reply.header[Headers.error] ?? "").code).toBe(500);
    expect(sendError).toBeInstanceOf(MicroError);
  });
});
