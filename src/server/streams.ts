import { badRequest, ErrorIds, MicroError, notFound, toMicroError } from "../errors";
import { Headers } from "../transport/headers";
import { streamSignal } from "../transport/stream-flow";
import type { Message, Socket } from "../transport/transport";
import { header, type DispatchDeps } from "./dispatch";
import type { Inflight } from "./inflight";
import { ServerStream } from "./stream";

const EMPTY = Buffer.alloc(0);
const DEFAULT_CONTENT_TYPE = "application/json";

/**
 * The server's open streams, by stream id: routes each stream message (`Micro-Stream`) to its
 * stream, opens a stream on the first message naming an endpoint, and counts open streams as
 * in-flight work so a drain waits for them.
 */
export class ServerStreams {
  private readonly open = new Map<string, ServerStream>();

  constructor(
    private readonly deps: DispatchDeps,
    private readonly inflight: Inflight,
  ) {}

  /** Open streams. */
  get size(): number {
    return this.open.size;
  }

  /** Handles one message carrying `Micro-Stream`, received on `socket`. */
  deliver(socket: Socket, message: Message): void {
    const h = message.header;
    const id = h[Headers.stream]!;
    const stream = this.open.get(id);
    if (stream) return stream.receive(message);
    // A message of a stream that already ended (an ack or data crossing its end) is dropped.
    if (header(h, Headers.endpoint) === undefined) return;
    const signal = streamSignal(h);
    if (signal !== "data" && signal !== "end") return;
    this.start(socket, message);
  }

  /** Ends every stream opened on `socket` (its connection closed: nobody reads the answers). */
  socketClosed(socket: Socket, error?: Error): void {
    if (socket.connectionless) return;
    const detail = `the client's connection closed${error ? `: ${error.message}` : ""}`;
    for (const s of this.open.values()) if (s.socket === socket) s.end(new MicroError(ErrorIds.connectionLost, 503, detail));
  }

  /** Ends every open stream with `error` (the drain timeout passed). */
  abortAll(error: MicroError): void {
    for (const s of [...this.open.values()]) s.end(error);
  }

  private start(socket: Socket, message: Message): void {
    const h = message.header;
    const id = h[Headers.stream]!;
    const endpoint = header(h, Headers.endpoint)!;
    let stream: ServerStream;
    try {
      const target = header(h, Headers.service);
      if (target && target !== this.deps.service) {
        throw notFound(`service "${target}" not found on this node (it serves "${this.deps.service}")`, ErrorIds.serviceNotFound);
      }
      const handler = this.deps.router.get(endpoint, this.deps.service);
      if (!handler.stream) throw badRequest(`endpoint "${endpoint}" is not a stream; call it with call()`);
      const codec = this.deps.codecs.get(h[Headers.contentType] ?? DEFAULT_CONTENT_TYPE);
      stream = new ServerStream(this.deps, socket, handler, codec, h, (s) => {
        if (this.open.get(s.id) === s) this.open.delete(s.id);
        this.inflight.end();
      });
    } catch (err) {
      const error = toMicroError(err);
      socket.send({ header: { [Headers.id]: id, [Headers.stream]: id, [Headers.error]: error.toHeader() }, body: EMPTY }).catch(() => undefined);
      return;
    }
    this.open.set(id, stream);
    this.inflight.begin();
    if (h[Headers.streamOpen] === undefined) stream.receive(message);
    void stream.run();
  }
}
