import { connect, type Server, type Socket as NetSocket } from "node:net";
import { HttpTransport } from "../../../src/transport/http";
import { Headers } from "../../../src/transport/headers";
import { TcpTransport, type TcpTransportOptions } from "../../../src/transport/tcp";
import { PREFACE } from "../../../src/transport/tcp/frame";
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
});
