import { connect, type Server, type Socket as NetSocket } from "node:net";
import { Headers } from "../../../src/transport/headers";
import { TcpTransport, type TcpTransportOptions } from "../../../src/transport/tcp";
import { encodeMessage, PREFACE } from "../../../src/transport/tcp/frame";
import type { Listener, Message, Socket } from "../../../src/transport/transport";
import { dialCaller, echo, within } from "../../contract/transport.contract";
import { waitFor } from "../../helpers/wait";

/** The listener's open connections, as node:net counts them. */
function openConnections(listener: Listener): Promise<number> {
  const server = (listener as unknown as { server: Server }).server;
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/** Opens a raw connection to `address`; resolves once connected. */
async function raw(address: string): Promise<{ conn: NetSocket; closed: Promise<void> }> {
  const [host, port] = address.split(":");
  const conn = connect({ host, port: Number(port) });
  conn.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => conn.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => conn.once("connect", resolve).once("error", reject));
  return { conn, closed };
}

function msg(id: string, body = ""): Message {
  return { header: { [Headers.id]: id }, body: Buffer.from(body) };
}

describe("tcp listener under hostile connections", () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };
  let transport: TcpTransport;
  let listener: Listener | undefined;

  beforeAll(() => process.on("uncaughtException", onUncaught));
  afterAll(() => process.off("uncaughtException", onUncaught));
  afterEach(async () => {
    await transport.close();
    await listener?.close();
    listener = undefined;
  });

  async function start(options: TcpTransportOptions = {}, accept: (socket: Socket) => void = (s) => s.onMessage((m) => echo(s, m))): Promise<Listener> {
    transport = new TcpTransport(options);
    listener = await transport.listen("127.0.0.1:0", accept);
    return listener;
  }

  const stages: Array<[string, Buffer]> = [
    ["before any byte", Buffer.alloc(0)],
    ["mid-preface", PREFACE.subarray(0, 2)],
    ["after the preface", Buffer.from(PREFACE)],
    ["mid-frame", Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 20, 0, 0])])],
    ["mid HTTP head", Buffer.from("POST / HTTP/1.1\r\nHost: x\r\nContent-Le")],
    ["mid HTTP body", Buffer.from("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")],
  ];

  it.each(stages)("survives a TCP reset %s and keeps serving", async (_, bytes) => {
    const l = await start();
    const { conn, closed } = await raw(l.address);
    if (bytes.length > 0) await new Promise<void>((resolve) => conn.write(bytes, () => resolve()));
    // Let the server take the bytes in before the reset arrives.
    if (bytes.length > 0) await waitFor(async () => (await openConnections(l)) === 1, 2000, "server accepted");
    conn.resetAndDestroy();
    await closed;
    await waitFor(async () => (await openConnections(l)) === 0, 2000, "server dropped the reset connection");
    const caller = await dialCaller(transport, l.address);
    expect((await caller.call(msg("after", "ok"))).body.toString()).toBe("ok");
    expect(uncaught).toEqual([]);
  });

  it("closes connections that stay silent or stop mid-preface after the handshake timeout", async () => {
    const l = await start({ handshakeTimeoutMs: 100 });
    const silent = await raw(l.address);
    const partial = await raw(l.address);
    partial.conn.write(PREFACE.subarray(0, 4));
    await within(Promise.all([silent.closed, partial.closed]), 5000, "handshake timeout");
    const caller = await dialCaller(transport, l.address);
    expect((await caller.call(msg("after", "ok"))).body.toString()).toBe("ok");
  });

  it("warns about handshake timeouts through a rate limit", async () => {
    const lines: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m: string) => void lines.push(m), child: () => logger };
    const l = await start({ handshakeTimeoutMs: 50, logger });
    const conns = await Promise.all(Array.from({ length: 15 }, () => raw(l.address)));
    await within(Promise.all(conns.map((c) => c.closed)), 5000, "handshake timeouts");
    expect(lines.filter((m) => /no preface/.test(m)).length).toBe(10);
  });

  it("closes promptly with silent, half-preface and half-HTTP-head connections open", async () => {
    const l = await start({ handshakeTimeoutMs: 60_000, closeTimeoutMs: 60_000 });
    const silent = await raw(l.address);
    const partial = await raw(l.address);
    partial.conn.write(PREFACE.subarray(0, 3));
    const head = await raw(l.address);
    head.conn.write("POST / HTTP/1.1\r\nHost: x\r\n");
    const idle = await dialCaller(transport, l.address);
    await idle.call(msg("idle", "x"));
    await waitFor(async () => (await openConnections(l)) === 4, 2000, "four connections");
    await within(l.close(), 2000, "listener close");
    await within(Promise.all([silent.closed, partial.closed, head.closed]), 2000, "connections closed");
  });

  it("closes connections beyond maxConnections at once and logs it", async () => {
    const lines: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m: string) => void lines.push(m), child: () => logger };
    const l = await start({ maxConnections: 2, logger });
    const a = await raw(l.address);
    const b = await raw(l.address);
    await waitFor(async () => (await openConnections(l)) === 2, 2000, "two connections");
    const c = await raw(l.address);
    await within(c.closed, 2000, "the third connection closing");
    expect(lines.some((m) => /connection limit/.test(m))).toBe(true);
    a.conn.destroy();
    b.conn.destroy();
    await waitFor(async () => (await openConnections(l)) === 0, 2000, "connections gone");
    const caller = await dialCaller(transport, l.address);
    expect((await caller.call(msg("after", "ok"))).body.toString()).toBe("ok");
  });

  it.each(["MKCOL / HTTP/1.1", "MOVE / HTTP/1.1", "M-SEARCH * HTTP/1.1"])("answers %s over HTTP instead of taking it for the preface", async (line) => {
    const l = await start();
    const { conn } = await raw(l.address);
    const reply = new Promise<string>((resolve) => conn.once("data", (d: Buffer) => resolve(d.toString("latin1"))));
    conn.write(`${line}\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
    expect(await within(reply, 5000, "HTTP reply")).toMatch(/^HTTP\/1\.1 40[45] /);
    conn.destroy();
  });

  it("accepts a preface split byte by byte", async () => {
    const l = await start();
    const { conn } = await raw(l.address);
    conn.setNoDelay(true);
    for (const byte of PREFACE) await new Promise<void>((resolve) => conn.write(Buffer.from([byte]), () => resolve()));
    const reply = new Promise<Buffer>((resolve) => conn.once("data", resolve));
    conn.write(encodeMessage(msg("split", "byte by byte")));
    expect((await within(reply, 5000, "reply")).toString("latin1")).toContain("byte by byte");
    conn.destroy();
  });

  it("closes a framed connection idle for idleTimeoutMs, but not one with a request in flight", async () => {
    let release: (() => void) | undefined;
    const l = await start({ idleTimeoutMs: 150 }, (s) =>
      s.onMessage((m) => {
        if (m.body.toString() === "hold") release = () => echo(s, m);
        else echo(s, m);
      }),
    );
    const busy = await dialCaller(transport, l.address);
    const busyClosed = new Promise<void>((resolve) => busy.socket.onClose(() => resolve()));
    let busyIsClosed = false;
    void busyClosed.then(() => (busyIsClosed = true));
    const held = busy.call(msg("held", "hold"));
    await waitFor(() => release !== undefined, 2000, "held request");
    const idle = await dialCaller(transport, l.address);
    await idle.call(msg("once", "x"));
    await within(new Promise<void>((resolve) => idle.socket.onClose(() => resolve())), 5000, "idle connection closing");
    // The idle one outlived the timeout; the busy one, which has the same age, must still be open.
    expect(busyIsClosed).toBe(false);
    release!();
    expect((await held).body.toString()).toBe("hold");
  });

  it("keeps silent connections when handshakeTimeoutMs is 0", async () => {
    const l = await start({ handshakeTimeoutMs: 0, idleTimeoutMs: 100 });
    const silent = await raw(l.address);
    let silentClosed = false;
    void silent.closed.then(() => (silentClosed = true));
    const idle = await dialCaller(transport, l.address);
    await idle.call(msg("once", "x"));
    // The idle timeout passing proves the sweep ran while the silent connection was open.
    await within(new Promise<void>((resolve) => idle.socket.onClose(() => resolve())), 5000, "idle connection closing");
    expect(silentClosed).toBe(false);
    silent.conn.destroy();
  });
});
