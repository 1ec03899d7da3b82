import { connect, createServer, type AddressInfo, type Socket as NetSocket } from "node:net";
import { ClientConnection } from "../../../src/client/connection";
import { ErrorIds, MicroError } from "../../../src/errors";
import { Headers } from "../../../src/transport/headers";
import { TcpTransport, type TcpTransportOptions } from "../../../src/transport/tcp";
import { encodeMessage, GOAWAY_FRAME, PREFACE } from "../../../src/transport/tcp/frame";
import { FrameReader } from "../../../src/transport/tcp/frame-reader";
import type { TcpClientSocket } from "../../../src/transport/tcp/tcp-client-socket";
import type { Listener, Message, Socket } from "../../../src/transport/transport";
import { echo, within } from "../../contract/transport.contract";
import { waitFor } from "../../helpers/wait";

// Regressions for "drain that really loses nothing": a request that reaches the server before
// it closes the connection gets its answer or an explicit 503 tsmicro.draining, never silence.

function msg(id: string, body = ""): Message {
  return { header: { [Headers.id]: id }, body: Buffer.from(body) };
}

type Outcome = "answered" | "draining" | string;

/** What became of one request: its echo, a draining refusal, or the error text. */
async function outcome(reply: Promise<Message>, body: string): Promise<Outcome> {
  try {
    const m = await reply;
    const error = m.header[Headers.error];
    if (error === undefined) return m.body.toString() === body ? "answered" : `wrong body ${m.body.toString()}`;
    const e = MicroError.parse(error);
    return e.code === 503 && e.id === ErrorIds.draining ? "draining" : e.toString();
  } catch (err) {
    return MicroError.is(err) && err.id === ErrorIds.draining ? "draining" : String(err);
  }
}

interface RawClient {
  conn: NetSocket;
  messages: Message[];
  goaway: Promise<void>;
  closed: Promise<void>;
}

/** A raw connection speaking the framing by hand, as a client that ignores GOAWAY would. */
async function rawClient(address: string): Promise<RawClient> {
  const [host, port] = address.split(":");
  const conn = connect({ host, port: Number(port), allowHalfOpen: true });
  conn.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => conn.once("connect", resolve).once("error", reject));
  return adopt(conn);
}

/** Speaks the framing on `conn`: sends the preface, parses what comes back. */
function adopt(conn: NetSocket): RawClient {
  const messages: Message[] = [];
  let sawGoaway!: () => void;
  const goaway = new Promise<void>((resolve) => (sawGoaway = resolve));
  const reader = new FrameReader({ expectPreface: false, maxFrameBytes: 1 << 20, maxBodyBytes: 1 << 20 }, {
    onMessage: (m) => messages.push({ header: m.header, body: Buffer.from(m.body) }),
    onOversize: () => undefined,
    onGoaway: () => sawGoaway(),
    onProtocolError: (e) => conn.destroy(e),
  });
  conn.on("data", (chunk: Buffer) => reader.push(chunk));
  const closed = new Promise<void>((resolve) => conn.once("close", () => resolve()));
  conn.write(PREFACE);
  return { conn, messages, goaway, closed };
}

describe("tcp transport: graceful drain", () => {
  let transport: TcpTransport;
  let listener: Listener | undefined;

  async function serve(handle: (socket: Socket, m: Message) => void, options: TcpTransportOptions = {}): Promise<Listener> {
    transport = new TcpTransport(options);
    listener = await transport.listen("127.0.0.1:0", (socket) => socket.onMessage((m) => handle(socket, m)));
    return listener;
  }

  afterEach(async () => {
    await listener?.close();
    await transport?.close();
    listener = undefined;
  });

  for (const connectionsPerAddress of [1, 4]) {
    it(`answers or refuses every request written in the same turn as close() (${connectionsPerAddress} connection(s))`, async () => {
      let handled = 0;
      const l = await serve((socket, m) => (handled++, echo(socket, m)), { connectionsPerAddress });
      const socket = await transport.dial(l.address);
      let closed = false;
      const conn = new ClientConnection(l.address, socket, () => (closed = true));
      expect(await outcome(conn.request(msg("warm", "warm")), "warm")).toBe("answered");

      // These frames are queued before GOAWAY is sent and reach the server after it: the server
      // must still read and answer (or refuse) each one.
      const n = 300;
      const replies = Array.from({ length: n }, (_, i) => outcome(conn.request(msg(`r-${i}`, `body-${i}`)), `body-${i}`));
      const closing = l.close();
      const outcomes = await within(Promise.all(replies), 5000, "every reply");

      const unexpected = outcomes.filter((o) => o !== "answered" && o !== "draining");
      expect(unexpected).toEqual([]);
      expect(outcomes.filter((o) => o === "answered")).toHaveLength(handled - 1);
      // The client half-closes on GOAWAY, so the server closes well before its 10 s drain timeout.
      await within(closing, 5000, "listener close");
      await waitFor(() => closed, 5000, "client socket closed");
    });
  }

  it("answers a frame sent after GOAWAY with 503 tsmicro.draining and keeps the connection until the peer ends", async () => {
    const l = await serve(echo);
    const raw = await rawClient(l.address);
    raw.conn.write(encodeMessage(msg("first", "first")));
    await waitFor(() => raw.messages.length === 1, 5000, "first reply");
    let closeDone = false;
    const closing = l.close().then(() => (closeDone = true));
    await within(raw.goaway, 5000, "GOAWAY");

    raw.conn.write(encodeMessage(msg("late", "late")));
    await waitFor(() => raw.messages.length === 2, 5000, "reply to the late frame");
    const late = raw.messages[1]!;
    expect(late.header[Headers.id]).toBe("late");
    expect(MicroError.parse(late.header[Headers.error] ?? "")).toMatchObject({ code: 503, id: ErrorIds.draining });
    expect(closeDone).toBe(false);

    raw.conn.end(); // the client's half-close: now the server may close
    await within(raw.closed, 5000, "server closing the connection");
    await within(closing, 5000, "listener close");
  });

  it("sends GOAWAY on a connection accepted before close() whose first bytes came after it", async () => {
    const l = await serve(echo);
    const [host, port] = l.address.split(":");
    const conn = connect({ host, port: Number(port), allowHalfOpen: true });
    conn.on("error", () => undefined);
    await new Promise<void>((resolve) => conn.once("connect", resolve));
    // The server accepts in order, so once a later connection got an answer this one was accepted.
    const later = await rawClient(l.address);
    later.conn.write(encodeMessage(msg("probe", "probe")));
    await waitFor(() => later.messages.length === 1, 5000, "probe reply");
    later.conn.end();
    const closing = l.close();
    const raw = await adopt(conn);
    raw.conn.write(encodeMessage(msg("late", "late")));
    await within(raw.goaway, 5000, "GOAWAY");
    await waitFor(() => raw.messages.length === 1, 5000, "refusal");
    expect(MicroError.parse(raw.messages[0]!.header[Headers.error] ?? "")).toMatchObject({ code: 503, id: ErrorIds.draining });
    raw.conn.end();
    await within(closing, 5000, "listener close");
  });

  it("answers requests in flight when the client half-closes without any GOAWAY", async () => {
    const held: Array<[Socket, Message]> = [];
    const l = await serve((socket, m) => held.push([socket, m]));
    const raw = await rawClient(l.address);
    raw.conn.write(encodeMessage(msg("a", "a")));
    await waitFor(() => held.length === 1, 5000, "request arriving");
    raw.conn.end();
    await new Promise((resolve) => setImmediate(resolve));
    const [s, m] = held[0]!;
    echo(s, m);
    await within(raw.closed, 5000, "server closing after its answer");
    expect(raw.messages.map((r) => r.body.toString())).toEqual(["a"]);
  });

  it("on GOAWAY the client refuses new sends itself, while its in-flight call is still answered", async () => {
    const held: Array<[Socket, Message]> = [];
    const l = await serve((socket, m) => held.push([socket, m]));
    const socket = await transport.dial(l.address);
    const conn = new ClientConnection(l.address, socket, () => undefined);
    const inflight = outcome(conn.request(msg("held", "held")), "held");
    await waitFor(() => held.length === 1, 5000, "request arriving");

    const closing = l.close();
    await waitFor(() => (socket as TcpClientSocket).draining, 5000, "GOAWAY arriving");
    await expect(conn.request(msg("after", "after"))).rejects.toMatchObject({ code: 503, id: ErrorIds.draining });
    const [s, m] = held[0]!;
    echo(s, m);
    expect(await within(inflight, 5000, "held reply")).toBe("answered");
    await within(closing, 5000, "listener close");
  });

  it("bounds how long a client waits for a server that sends GOAWAY and never closes", async () => {
    const peers: NetSocket[] = [];
    const rude = createServer((conn) => {
      peers.push(conn);
      conn.on("error", () => undefined);
      conn.once("data", () => conn.write(GOAWAY_FRAME)); // the preface arrived: GOAWAY, then silence
    });
    await new Promise<void>((resolve) => rude.listen(0, "127.0.0.1", resolve));
    try {
      const address = `127.0.0.1:${(rude.address() as AddressInfo).port}`;
      transport = new TcpTransport({ closeTimeoutMs: 50 });
      const socket = await transport.dial(address);
      const closed = new Promise<Error | undefined>((resolve) => socket.onClose(resolve));
      await waitFor(() => (socket as TcpClientSocket).draining, 5000, "GOAWAY arriving");
      await within(closed, 5000, "client giving up on the silent server");
    } finally {
      for (const p of peers) p.destroy();
      await new Promise((resolve) => rude.close(resolve));
    }
  });

  it("at the drain timeout answers a request still in its handler with a 503 that is not retried as undelivered", async () => {
    let arrived = false;
    const l = await serve(() => (arrived = true), { closeTimeoutMs: 50 });
    // The client waits for the server's close longer than the server's drain takes.
    const clientTransport = new TcpTransport();
    const socket = await clientTransport.dial(l.address);
    const conn = new ClientConnection(l.address, socket, () => undefined);
    const pending = conn.request(msg("never"));
    await waitFor(() => arrived, 5000, "request arriving");
    await within(l.close(), 5000, "forced close");
    const reply = await within(pending, 5000, "reply to the abandoned request");
    await clientTransport.close();
    const error = MicroError.parse(reply.header[Headers.error] ?? "");
    // The handler may have run, so this must not look like draining or a connection error.
    expect(error).toMatchObject({ code: 503, id: ErrorIds.unavailable });
  });
});
