import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../logger/logger";
import type { HttpServerSocket } from "./http-server-socket";
import { tooLarge, writeError } from "../../internal/http/wire";

const kInbound = Symbol("tsmicro.http.inbound");

type TaggedRequest = IncomingMessage & { [kInbound]?: Inbound };
type TaggedResponse = ServerResponse & { [kInbound]?: Inbound };

/** One request being received; kept on the request and response so the event handlers need no closures. */
interface Inbound {
  readonly sock: HttpServerSocket;
  readonly res: ServerResponse;
  readonly id: string;
  readonly header: Record<string, string>;
  readonly limit: number;
  readonly logger?: Logger;
  readonly chunks: Buffer[];
  size: number;
  refused: boolean;
}

/**
 * Reads the body of an accepted request (refusing it with a 413 as soon as it passes `limit`)
 * and then delivers the message on `sock`.
 */
export function receiveBody(
  req: IncomingMessage,
  res: ServerResponse,
  sock: HttpServerSocket,
  id: string,
  header: Record<string, string>,
  limit: number,
  logger: Logger | undefined,
): void {
  const inbound: Inbound = { sock, res, id, header, limit, logger, chunks: [], size: 0, refused: false };
  (req as TaggedRequest)[kInbound] = inbound;
  (res as TaggedResponse)[kInbound] = inbound;
  req.on("data", onRequestData);
  req.on("end", onRequestEnd);
  req.on("error", onRequestError);
  res.on("close", onResponseClose);
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

function onRequestError(this: TaggedRequest, err: Error): void {
  const inbound = this[kInbound]!;
  inbound.logger?.debug("http transport: request aborted", { remote: inbound.sock.remote, error: err.message });
}

function onResponseClose(this: TaggedResponse): void {
  const inbound = this[kInbound]!;
  inbound.sock.forget(inbound.id, this);
}
