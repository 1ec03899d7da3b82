import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { greet, type EchoMessage, type HelloRequest, type Op } from "../payloads";
import { FrameParser, FrameWriter } from "./framing";
import type { ClientHandle, RpcAdapter, ServerHandle } from "./types";

// The practical limit of a TCP transport in Node: length-prefixed JSON frames, every request of
// a client multiplexed on one socket by id, writes coalesced per turn, incremental parsing.

const OP_CODE: Record<Op, number> = { hello: 1, echo: 2 };

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const writer = new FrameWriter(socket);
  const parser = new FrameParser((id, op, buf, start, end) => {
    const req: unknown = JSON.parse(buf.toString("utf8", start, end));
    const res = op === OP_CODE.hello ? greet(req as HelloRequest) : (req as EchoMessage);
    writer.write(id, op, JSON.stringify(res));
  });
  socket.on("data", (chunk: Buffer) => {
    try {
      parser.push(chunk);
    } catch (err) {
      socket.destroy(err as Error);
    }
  });
  socket.on("error", () => socket.destroy());
}

async function startServer(): Promise<ServerHandle> {
  const server = createServer(serve);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

async function connect(address: string): Promise<ClientHandle> {
  const [host, port] = address.split(":") as [string, string];
  const socket = createConnection({ host, port: Number(port), noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const writer = new FrameWriter(socket);
  const parser = new FrameParser((id, _op, buf, start, end) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    p.resolve(JSON.parse(buf.toString("utf8", start, end)));
  });
  const failAll = (error: Error): void => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  socket.on("data", (chunk: Buffer) => {
    try {
      parser.push(chunk);
    } catch (err) {
      socket.destroy(err as Error);
    }
  });
  socket.on("error", (err) => failAll(err));
  socket.on("close", () => failAll(new Error("connection closed")));
  return {
    call(op, body) {
      if (socket.destroyed) return Promise.reject(new Error("connection closed"));
      const id = (nextId = (nextId + 1) >>> 0);
      writer.write(id, OP_CODE[op], JSON.stringify(body));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close: async () => void socket.destroy(),
  };
}

/** Raw node:net with length-prefixed JSON frames multiplexed on one socket. */
export const rawNet: RpcAdapter = { startServer, connect };
