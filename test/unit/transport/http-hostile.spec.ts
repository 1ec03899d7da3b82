import { createServer, type Server } from "node:http";
import { connect, type Socket as NetSocket } from "node:net";
import { ClientConnection } from "../../../src/client/connection";
import { ErrorIds, MicroError } from "../../../src/errors";
import { Headers } from "../../../src/transport/headers";
import { HttpTransport, type HttpTransportOptions } from "../../../src/transport/http";
import { TcpTransport, type TcpTransportOptions } from "../../../src/transport/tcp";
import type { Listener, Message, Transport } from "../../../src/transport/transport";
import { echo, within } from "../../contract/transport.contract";

/** A raw connection that records everything it receives. */
async function raw(address: string): Promise<{ conn: NetSocket; closed: Promise<void>; received: () => string }> {
  const [host, port] = address.split(":");
  const conn = connect({ host, port: Number(port) });
  let text = "";
  conn.on("data", (d: Buffer) => (text += d.toString("latin1")));
  conn.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => conn.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => conn.once("connect", resolve).once("error", reject));
  return { conn, closed, received: () => text };
}

function msg(id: string, body = ""): Message {
  return { header: { [Headers.id]: id }, body: Buffer.from(body) };
}

const REQUEST = "POST / HTTP/1.1\r\nHost: x\r\nMicro-Id: r1\r\nContent-Length: 2\r\n\r\nhi";

describe.each<[string, (o: { head: number; request: number; idle: number }) => Transport]>([
  ["the tcp port's HTTP side", (o) => new TcpTransport({ handshakeTimeoutMs: o.head, requestTimeoutMs: o.request, idleTimeoutMs: o.idle } satisfies TcpTransportOptions)],
  ["the http transport", (o) => new HttpTransport({ headersTimeoutMs: o.head, requestTimeoutMs: o.request, keepAliveTimeoutMs: o.idle } satisfies HttpTransportOptions)],
])("HTTP deadlines on %s", (_, make) => {
  let listener: Listener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  async function start(o: { head?: number; request?: number; idle?: number }): Promise<Listener> {
    const transport = make({ head: o.head ?? 60_000, request: o.request ?? 60_000, idle: o.idle ?? 60_000 });
    listener = await transport.listen("127.0.0.1:0", (s) => s.onMessage((m) => echo(s, m)));
    return listener;
  }

  it("answers an unfinished request head with a 408 and closes after the headers timeout", async () => {
    const l = await start({ head: 100 });
    const c = await raw(l.address);
    c.conn.write("POST / HTTP/1.1\r\nHost: x\r\n");
    await within(c.closed, 5000, "head timeout");
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("closes an unfinished request body after the request timeout", async () => {
    const l = await start({ request: 150 });
    const c = await raw(l.address);
    c.conn.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    await within(c.closed, 5000, "request timeout");
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("closes a keep-alive connection left idle after its reply", async () => {
    const l = await start({ idle: 150 });
    const idle = await raw(l.address);
    idle.conn.write(REQUEST);
    await within(idle.closed, 5000, "keep-alive timeout");
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 [^]*hi$/);
  });

  it("closes a second request head that stalls on a kept-alive connection", async () => {
    const l = await start({ head: 150 });
    const c = await raw(l.address);
    const first = new Promise<void>((resolve) => c.conn.once("data", () => resolve()));
    c.conn.write(REQUEST);
    await within(first, 5000, "first reply");
    c.conn.write("POST / HTTP/1.1\r\nHost: x\r\n");
    await within(c.closed, 5000, "second head timeout");
    expect(c.received()).toMatch(/408 Request Timeout/);
  });
});

describe("HTTP client response bound", () => {
  let server: Server;
  let address: string;
  const closed: Array<Promise<void>> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      closed.push(new Promise((resolve) => req.socket.once("close", () => resolve())));
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      if (req.headers["x-mode"] === "declared") res.writeHead(200, { "Content-Length": 10 * chunk.length });
      else res.writeHead(200); // chunked, no length
      let sent = 0;
      const more = (): void => {
        while (sent < 10 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const a = server.address() as { port: number };
    address = `127.0.0.1:${a.port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(["declared", "chunked"])("fails the call when a %s response body is over maxResponseBytes, and frees the connection", async (mode) => {
    const transport = new HttpTransport({ maxResponseBytes: 100 * 1024 });
    const sock = await transport.dial(address);
    closed.length = 0;
    const sent = sock.send({ header: { [Headers.id]: mode, "X-Mode": mode }, body: Buffer.alloc(0) });
    const err = await sent.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(MicroError.is(err) && err.id).toBe(ErrorIds.tooLarge);
    expect((err as MicroError).detail).toMatch(/over this client's limit of 102400 bytes \(maxResponseBytes\)/);
    await within(closed[0]!, 5000, "server side of the connection closing");
    await transport.close();
  });
});

describe("tcp client dialing a node that serves http", () => {
  it("fails with a clear transport mismatch error", async () => {
    const http = new HttpTransport();
    const listener = await http.listen("127.0.0.1:0", (s) => s.onMessage((m) => echo(s, m)));
    const tcp = new TcpTransport();
    try {
      const sock = await tcp.dial(listener.address);
      const conn = new ClientConnection(listener.address, sock, () => undefined);
      const err = await conn.request(msg("m1", "hi")).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(MicroError.is(err) && err.id).toBe(ErrorIds.transportMismatch);
      expect((err as MicroError).code).toBe(502);
      expect((err as MicroError).detail).toBe(`node ${listener.address} serves http; this client uses tcp (use --transport=http)`);
      const again = await sock.send(msg("m2")).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(MicroError.is(again) && again.id).toBe(ErrorIds.transportMismatch);
    } finally {
      await tcp.close();
      await listener.close();
    }
  });
});
