import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpServerSocket } from "./http-server-socket";
import { tooLarge, writeError } from "../../internal/http/wire";

const kInbound = Symbol("tsmicro.http.inbound");

type TaggedRequest = IncomingMessage & { [kInbound]?: Inbound };

/** One request being received; kept on the request and response so the event handlers need no closures. */
interface Inbound {
  readonly sock: HttpServerSocket;
  readonly res: ServerResponse;
  readonly id: string;
  readonly header: Record<string, string>;
  readonly limit: number;
  readonly chunks: Buffer[];
  size: number;
  refused: boolean;
}

/**
 * Reads the body of an accepted request (refusing it with a 413 as soon as it passes `limit`)
 * and then delivers the message on `sock`. Two listeners per request: an aborted request emits
 * no `error` when nobody listens, and a request whose connection closes unanswered is
 * cancelled when the connection's close reaches `sock` (HttpServerSocket.handleClose).
 */
export function receiveBody(
  req: IncomingMessage,
  res: ServerResponse,
  sock: HttpServerSocket,
  id: string,
  header: Record<string, string>,
  limit: number,
): void {
  (req as TaggedRequest)[kInbound] = { sock, res, id, header, limit, chunks: [], size: 0, refused: false };
  req.on("data", onRequestData);
  req.on("end", onRequestEnd);
}

function onRequestData(this: TaggedRequest, chunk: Buffer): void {
  const inbound = this[kInbound]!;
  inbound.size += chunk.length;
  if (inbound.size > inbound.limit) {
    // A chunked body over the limit: stop reading and refuse; the connection closes after the answer.
    inbound.refused = true;
    inbound.chunks.length = 0;
    this.off("data", onRequestData);
    this.pause();
    writeError(inbound.res, tooLarge(inbound.size, inbound.limit), inbound.id, true);
    return;
  }
  inbound.chunks.push(chunk);
}

function onRequestEnd(this: TaggedRequest): void {
  const inbound = this[kInbound]!;
  if (inbound.refused) return;
  const { chunks } = inbound;
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, inbound.size);
  chunks.length = 0;
  inbound.sock.deliver({ header: inbound.header, body }, inbound.id, inbound.res);
}
