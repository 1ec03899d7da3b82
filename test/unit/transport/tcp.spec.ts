import { connect, Socket as NetSocket } from "node:net";
import { ClientConnection } from "../../../src/client/connection";
import { ErrorIds, MicroError } from "../../../src/errors";
import type { LogFields, Logger } from "../../../src/logger/logger";
import { END_OF_STREAM, Headers } from "../../../src/transport/headers";
import { TcpTransport, type TcpTransportOptions } from "../../../src/transport/tcp";
import { encodeMessage, PREFACE } from "../../../src/transport/tcp/frame";
import { FrameReader } from "../../../src/transport/tcp/frame-reader";
import type { TcpClientSocket } from "../../../src/transport/tcp/tcp-client-socket";
import type { TcpServerSocket } from "../../../src/transport/tcp/tcp-server-socket";
import type { Listener, Message, Socket } from "../../../src/transport/transport";
import { describeTransportContract, dialCaller, echo, within } from "../../contract/transport.contract";
import { waitFor } from "../../helpers/wait";

describeTransportContract("tcp", () => new TcpTransport());

/** A logger that remembers its lines. */
function recordingLogger(): Logger & { lines: Array<{ level: string; msg: string; fields?: LogFields }> } {
  const lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  const log =
    (level: string) =>
    (msg: string, fields?: LogFields): void => {
      lines.push({ level, msg, fields });
    };
  const logger = { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), child: () => logger };
  return logger;
}

function msg(id: string, body: string | Buffer = "", header: Record<string, string> = {}): Message {
  return { header: { [Headers.id]: id, ...header }, body: typeof body === "string" ? Buffer.from(body) : body };
}

/** A raw TCP connection to `address`, as a foreign or broken client would open it. */
async function rawConnection(address: string): Promise<{ conn: NetSocket; closed: Promise<void> }> {
  const [host, port] = address.split(":");
  const conn = connect({ host, port: Number(port) });
  const closed = new Promise<void>((resolve) => conn.once("close", () => resolve()));
  conn.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => conn.once("connect", resolve).once("error", reject));
  return { conn, closed };
}

describe("TcpTransport", () => {
  let transport: TcpTransport;
  let listener: Listener;
  let logger: ReturnType<typeof recordingLogger>;
  let received: Message[];
  let serverSockets: TcpServerSocket[];

  async function start(handle: (socket: Socket, m: Message) => void = echo, options: TcpTransportOptions = {}): Promise<void> {
    logger = recordingLogger();
    transport = new TcpTransport({ logger, ...options });
    received = [];
    serverSockets = [];
    listener = await transport.listen("127.0.0.1:0", (socket) => {
      serverSockets.push(socket as TcpServerSocket);
      socket.onMessage((m) => (received.push(m), handle(socket, m)));
    }, { maxBodyBytes: 1024 * 1024 });
  }

  afterEach(async () => {
    await listener?.close();
    await transport?.close();
    jest.restoreAllMocks();
  });

  const malformed: Array<[string, Buffer, RegExp]> = [
    // HTTP goes to the HTTP companion (tcp-shared-port.spec.ts); bytes that start like the preface do not.
    ["a wrong preface", Buffer.from("MUCX\u0001garbage"), /bad preface/],
    ["an absurd frame length", Buffer.concat([PREFACE, Buffer.from([0xff, 0xff, 0xff, 0xff, 0])]), /frame length 4294967295/],
    ["a truncated header block", Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 8, 0, 0, 5, 0, 9, 65, 66, 67])]), /header block/],
  ];

  it.each(malformed)("closes a connection that sends %s, logs why, and keeps serving", async (_, bytes, reason) => {
    await start();
    const good = await dialCaller(transport, listener.address);
    await good.call(msg("before", "x"));
    const { conn, closed } = await rawConnection(listener.address);
    conn.write(bytes);
    await within(closed, 5000, "malformed connection closing");
    const warning = logger.lines.find((l) => l.level === "warn");
    expect(warning?.fields?.["reason"]).toMatch(reason);
    // The connection that was already open and a new one are both served.
    expect((await good.call(msg("still", "open"))).body.toString()).toBe("open");
    const fresh = await dialCaller(transport, listener.address);
    expect((await fresh.call(msg("new", "conn"))).body.toString()).toBe("conn");
    expect(received.map((m) => m.header[Headers.id])).toEqual(["before", "still", "new"]);
  });

  it("fails pending calls promptly when the server kills the connection mid-request, then redials", async () => {
    await start((socket, m) => {
      if (m.body.toString() === "kill") void (socket as TcpServerSocket).destroy();
      else echo(socket, m);
    });
    const socket = await transport.dial(listener.address);
    const closes: Array<Error | undefined> = [];
    socket.onClose((err) => closes.push(err));
    await socket.send(msg("k1", "kill"));
    await waitFor(() => closes.length > 0, 2000, "onClose");
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(Error);
    await expect(socket.send(msg("k2"))).rejects.toMatchObject({ code: 503, id: ErrorIds.connection });

    // The ClientConnection wired to a fresh socket fails its pending call at once when the socket dies.
    const socket2 = await transport.dial(listener.address);
    let dropped = false;
    const conn2 = new ClientConnection(listener.address, socket2, () => (dropped = true));
    const started = Date.now();
    await expect(within(conn2.request(msg("k3", "kill")), 2000, "pending call")).rejects.toMatchObject({ code: 503, id: ErrorIds.connectionLost });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(dropped).toBe(true);

    const fresh = await dialCaller(transport, listener.address);
    expect((await fresh.call(msg("after", "alive"))).body.toString()).toBe("alive");
  });

  it("on GOAWAY refuses new sends with tsmicro.draining while in-flight replies still arrive", async () => {
    const held: Array<[Socket, Message]> = [];
    await start((socket, m) => held.push([socket, m]));
    const caller = await dialCaller(transport, listener.address);
    let closed = false;
    caller.socket.onClose(() => (closed = true));
    const inflight = [0, 1, 2].map((i) => caller.call(msg(`in-${i}`, `in-${i}`)));
    await waitFor(() => held.length === 3, 5000, "requests arriving");

    const closing = listener.close();
    await waitFor(() => (caller.socket as TcpClientSocket).draining, 5000, "GOAWAY arriving");
    await expect(caller.socket.send(msg("late"))).rejects.toMatchObject({ code: 503, id: ErrorIds.draining });
    expect(closed).toBe(false);
    expect(serverSockets[0]!.inflightCount).toBe(3);

    for (const [socket, m] of held) echo(socket, m);
    const replies = await within(Promise.all(inflight), 5000, "in-flight replies");
    expect(replies.map((r) => r.body.toString())).toEqual(["in-0", "in-1", "in-2"]);
    await within(closing, 5000, "listener close");
    await waitFor(() => closed, 5000, "client socket closing");
  });

  it("keeps a draining connection open until each stream has ended", async () => {
    let stream: [Socket, Message] | undefined;
    await start((socket, m) => {
      stream = [socket, m];
      void socket.send({ header: { [Headers.id]: m.header[Headers.id]!, [Headers.stream]: "s1" }, body: Buffer.from("first") });
    });
    const caller = await dialCaller(transport, listener.address);
    const first = await caller.call(msg("s1", "open", { [Headers.stream]: "s1" }));
    expect(first.body.toString()).toBe("first");
    let closeDone = false;
    const closing = listener.close().then(() => (closeDone = true));
    await waitFor(() => (caller.socket as TcpClientSocket).draining, 5000, "GOAWAY arriving");
    expect(serverSockets[0]!.inflightCount).toBe(1);
    expect(closeDone).toBe(false);
    const [socket, m] = stream!;
    const last = new Promise<Message>((resolve) => caller.socket.onMessage(resolve));
    await socket.send({ header: { [Headers.id]: m.header[Headers.id]!, [Headers.stream]: "s1", [Headers.error]: END_OF_STREAM }, body: Buffer.alloc(0) });
    expect((await within(last, 5000, "end of stream")).header[Headers.error]).toBe(END_OF_STREAM);
    await within(closing, 5000, "listener close");
  });

  it("closes connections whose replies never come once closeTimeoutMs passes, answering their requests with a 503", async () => {
    let arrived = false;
    await start(() => (arrived = true), { closeTimeoutMs: 50 });
    const socket = await transport.dial(listener.address);
    const conn = new ClientConnection(listener.address, socket, () => undefined);
    const pending = conn.request(msg("never"));
    pending.catch(() => undefined);
    await waitFor(() => arrived, 5000, "request arriving");
    await within(listener.close(), 5000, "forced close");
    // Not tsmicro.draining nor tsmicro.connection: the handler may have run, so no blind retry.
    expect(MicroError.parse((await pending).header[Headers.error] ?? "")).toMatchObject({ code: 503, id: ErrorIds.unavailable });
  });

  it("bounds what it queues for a client that does not read, and delivers it all once it does", async () => {
    const maxQueuedBytes = 1024 * 1024;
    const body = Buffer.alloc(256 * 1024, 3);
    const count = 64; // 16 MiB: far more than the kernel's socket buffers hold
    let resolved = 0;
    let maxQueued = 0;
    await start(
      (socket, m) => {
        const server = socket as TcpServerSocket;
        for (let i = 0; i < count; i++) {
          void socket.send({ header: { [Headers.id]: `${m.header[Headers.id]}-${i}` }, body }).then(() => {
            resolved++;
            maxQueued = Math.max(maxQueued, server.queuedBytes);
          });
          maxQueued = Math.max(maxQueued, server.queuedBytes);
        }
      },
      { maxQueuedBytes },
    );
    const { conn } = await rawConnection(listener.address);
    conn.pause();
    conn.write(Buffer.concat([PREFACE, encodeMessage(msg("r"))]));
    // Wait until the server is stuck: nothing more resolves for a while.
    let last = -1;
    let still = 0;
    await waitFor(() => {
      maxQueued = Math.max(maxQueued, serverSockets[0]?.queuedBytes ?? 0);
      still = resolved === last && resolved > 0 ? still + 1 : 0;
      last = resolved;
      return still >= 10;
    }, 10_000, "server blocking");
    expect(resolved).toBeLessThan(count);
    // One frame may be admitted just under the bound.
    expect(maxQueued).toBeLessThanOrEqual(maxQueuedBytes + body.length + 64);

    const ids: string[] = [];
    const reader = new FrameReader({ expectPreface: false, maxFrameBytes: 1 << 20, maxBodyBytes: 1 << 20 }, {
      onMessage: (m) => ids.push(m.header[Headers.id]!),
      onOversize: () => undefined,
      onGoaway: () => undefined,
      onProtocolError: (e) => {
        throw e;
      },
    });
    conn.on("data", (chunk: Buffer) => reader.push(chunk));
    conn.resume();
    await waitFor(() => ids.length === count, 10_000, "all replies");
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => `r-${i}`));
    expect(resolved).toBe(count);
    conn.destroy();
  });

  it("coalesces 100 frames sent in one turn into four socket writes (1, 16, 32, the rest)", async () => {
    await start();
    const socket = await transport.dial(listener.address);
    const port = Number(listener.address.split(":")[1]);
    const replies: string[] = [];
    socket.onMessage((m) => replies.push(m.header[Headers.id]!));
    await new Promise((resolve) => setImmediate(resolve)); // the preface's turn is over
    const write = jest.spyOn(NetSocket.prototype, "write");
    const sends = Array.from({ length: 100 }, (_, i) => socket.send(msg(`m-${i}`, "x".repeat(i))));
    await Promise.all(sends);
    await waitFor(() => replies.length === 100, 5000, "100 replies");
    const clientWrites = write.mock.contexts.filter((c) => (c as NetSocket).remotePort === port).length;
    const serverWrites = write.mock.contexts.filter((c) => (c as NetSocket).localPort === port).length;
    // The first frame at once, early batches of 16 and 32, the other 51 at the end of the turn
    // (tcp-flush.spec.ts tests the rule itself).
    expect(clientWrites).toBe(4);
    // The server replies as requests arrive: at most one write per chunk it read.
    expect(serverWrites).toBeLessThanOrEqual(10);
  });

  it("spreads sends over connectionsPerAddress connections", async () => {
    await start(echo, { connectionsPerAddress: 3 });
    const caller = await dialCaller(transport, listener.address);
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => caller.call(msg(`p-${i}`, `b-${i}`))));
    expect(replies.map((r) => r.body.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `b-${i}`));
    expect(serverSockets).toHaveLength(3);
    await caller.socket.close();
    await waitFor(() => serverSockets.every((s) => s.inflightCount === 0), 5000, "server sockets idle");
  });

  it("answers a throwing handler and an unwritable reply with a 500, and rejects an unencodable send with a 400", async () => {
    let sendError: unknown;
    await start((socket, m) => {
      if (m.body.toString() === "throw") throw new Error("boom");
      socket.send({ header: { [Headers.id]: m.header[Headers.id]!, ["X".repeat(300)]: "too long a name" }, body: Buffer.alloc(0) }).catch((e: unknown) => (sendError = e));
    });
    const caller = await dialCaller(transport, listener.address);
    const thrown = await caller.call(msg("t1", "throw"));
    expect(MicroError.parse(thrown.header[Headers.error] ?? "")).toMatchObject({ code: 500, id: ErrorIds.internal });
    const unwritable = await caller.call(msg("t2", "reply"));
    expect(MicroError.parse(unwritable.header[Headers.error] ?? "")).toMatchObject({ code: 500 });
    expect(sendError).toMatchObject({ code: 400 });
    await expect(caller.socket.send(msg("t3", "", { "": "empty name" }))).rejects.toMatchObject({ code: 400 });
    expect(serverSockets[0]!.inflightCount).toBe(0);
  });

  it("rejects bad addresses at dial and sends after the transport closed", async () => {
    await start();
    await expect(transport.dial("no-port-here")).rejects.toMatchObject({ code: 400 });
    const caller = await dialCaller(transport, listener.address);
    await caller.call(msg("1", "x"));
    await transport.close();
    await expect(caller.socket.send(msg("2"))).rejects.toMatchObject({ code: 503, id: ErrorIds.connection });
  });
});
