import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { FrameParser, FrameWriter } from "./framing";
import { STREAM_TEXT, type StreamAdapter } from "./stream-types";

// The practical limit of streaming over node:net: the raw row's length-prefixed JSON frames,
// no flow control, no validation. Op 3 asks for a server stream of `to` frames, op 4 frames
// are echoed one by one; a frame with op 5 ends a stream.

const COUNT = 3;
const ECHO = 4;
const END = 5;

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const writer = new FrameWriter(socket);
  const parser = new FrameParser((id, op, buf, start, end) => {
    const req = JSON.parse(buf.toString("utf8", start, end)) as { to?: number; text?: string };
    if (op === COUNT) {
      for (let n = 0; n < (req.to ?? 0); n++) writer.write(id, COUNT, JSON.stringify({ n }));
      writer.write(id, END, "{}");
    } else if (op === ECHO) {
      writer.write(id, ECHO, JSON.stringify({ text: req.text }));
    } else if (op === END) {
      writer.write(id, END, "{}");
    }
  });
  socket.on("data", (chunk: Buffer) => parser.push(chunk));
  socket.on("error", () => socket.destroy());
}

/** Raw node:net streams. */
export const rawNetStream: StreamAdapter = {
  async startServer() {
    const server = createServer(serve);
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { address: `127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  },
  async connect(address) {
    const [host, port] = address.split(":") as [string, string];
    const socket = createConnection({ host, port: Number(port), noDelay: true });
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const writer = new FrameWriter(socket);
    let current: { id: number; onMessage: (m: unknown) => void; done: () => void } | undefined;
    let nextId = 0;
    const parser = new FrameParser((id, op, buf, start, end) => {
      if (!current || current.id !== id) return;
      if (op === END) return current.done();
      current.onMessage(JSON.parse(buf.toString("utf8", start, end)));
    });
    socket.on("data", (chunk: Buffer) => parser.push(chunk));
    return {
      run(mode, count, onMessage) {
        const id = (nextId = (nextId + 1) >>> 0);
        return new Promise<void>((done) => {
          current = { id, onMessage, done };
          if (mode === "server") {
            writer.write(id, COUNT, JSON.stringify({ to: count }));
          } else {
            for (let i = 0; i < count; i++) writer.write(id, ECHO, JSON.stringify({ text: STREAM_TEXT }));
            writer.write(id, END, "{}");
          }
        });
      },
      close: async () => void socket.destroy(),
    };
  },
};
