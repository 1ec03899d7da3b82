import { createServer, connect, type Server, type Socket } from "node:net";
import type { Message } from "../../../src/transport/transport";
import { TcpConnection, type ConnectionConfig, type ConnectionEvents } from "../../../src/transport/tcp/tcp-connection";

// When a connection writes: the first frame of an event-loop turn at once (a lone call must not
// wait for the turn to end), later frames of the turn in early batches of 16, then 32, … frames
// so the peer can start on them, and the rest on setImmediate. Every frame arrives, in order.

const config = (role: ConnectionConfig["role"]): ConnectionConfig => ({
  role,
  remote: "test",
  maxQueuedBytes: 16 * 1024 * 1024,
  maxFrameBytes: 4 * 1024 * 1024,
  maxBodyBytes: 4 * 1024 * 1024,
  keepAliveMs: 0,
});

const events = (onMessage: (m: Message) => void): ConnectionEvents => ({
  message: onMessage,
  oversize: () => undefined,
  goaway: () => undefined,
  ended: () => undefined,
  closed: () => undefined,
});

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const frame = (i: number, body = Buffer.from(`{"n":${i}}`)): Message => ({ header: { "Micro-Id": String(i) }, body });

describe("tcp connection flushing", () => {
  let server: Server;
  let dialed: Socket;
  let client: TcpConnection;
  let peer: TcpConnection;
  let writes = 0;
  const received: Message[] = [];
  let arrived: () => void = () => undefined;

  beforeEach(async () => {
    received.length = 0;
    writes = 0;
    const accepted = new Promise<Socket>((resolve) => {
      server = createServer(resolve);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    dialed = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve) => dialed.once("connect", resolve));
    // A write is one `write` call, or one cork…uncork run of them (a writev).
    const write = dialed.write.bind(dialed) as (chunk: Buffer) => boolean;
    const uncork = dialed.uncork.bind(dialed);
    dialed.write = ((chunk: Buffer) => (dialed.writableCorked === 0 && writes++, write(chunk))) as typeof dialed.write;
    dialed.uncork = () => (writes++, uncork());
    client = new TcpConnection(dialed, config("client"), events(() => undefined));
    peer = new TcpConnection(await accepted, config("server"), events((m) => (received.push(m), arrived())));
    await nextTurn(); // the preface goes out in the turn the connection was made
  });

  afterEach(async () => {
    await Promise.all([client.destroy(), peer.destroy()]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const allArrived = (n: number): Promise<void> =>
    new Promise<void>((resolve) => {
      arrived = () => received.length >= n && resolve();
      arrived();
    });

  it("writes the first frame of a turn at once, without waiting for the turn to end", async () => {
    const before = writes;
    void client.send(frame(0));
    expect(writes).toBe(before + 1);
    await allArrived(1);
    expect(received[0]!.header["Micro-Id"]).toBe("0");
  });

  it("writes a burst early in batches of 16, then 32 frames, and the rest on setImmediate, in order", async () => {
    const before = writes;
    void client.send(frame(0));
    for (let i = 1; i <= 15; i++) void client.send(frame(i));
    expect(writes).toBe(before + 1); // 15 queued: under the first batch of 16
    void client.send(frame(16));
    expect(writes).toBe(before + 2);
    for (let i = 17; i <= 47; i++) void client.send(frame(i));
    expect(writes).toBe(before + 2); // 31 queued: under the second batch of 32
    void client.send(frame(48));
    expect(writes).toBe(before + 3);
    for (let i = 49; i < 60; i++) void client.send(frame(i));
    expect(writes).toBe(before + 3);
    await nextTurn();
    expect(writes).toBe(before + 4);
    await allArrived(60);
    expect(received.map((m) => Number(m.header["Micro-Id"]))).toEqual([...Array(60).keys()]);

    // A new turn starts over: its first frame goes at once, and batches are 16 again.
    void client.send(frame(60));
    expect(writes).toBe(before + 5);
    for (let i = 61; i <= 76; i++) void client.send(frame(i));
    expect(writes).toBe(before + 6);
  });

  it("writes as soon as 64 KiB are queued, whatever the frame count", async () => {
    const before = writes;
    void client.send(frame(0));
    const big = Buffer.alloc(40 * 1024, 0x61);
    void client.send(frame(1, big));
    expect(writes).toBe(before + 1);
    void client.send(frame(2, big));
    expect(writes).toBe(before + 2);
    await allArrived(3);
    expect(received[2]!.body.equals(big)).toBe(true);
  });
});
