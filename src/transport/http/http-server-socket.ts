import type { ServerResponse } from "node:http";
import type { Socket as NetSocket } from "node:net";
import { badRequest, internalServerError, serviceUnavailable } from "../../errors";
import type { Logger } from "../../logger/logger";
import { Headers } from "../headers";
import { QUEUED, type Message, type Socket } from "../transport";
import { joinHostPort } from "../../internal/address";
import { connectionError, endWith, headerList, writeError } from "../../internal/http/wire";
import { POLL_HEADER, type HttpStreamMailboxes } from "./stream-mailboxes";

const EMPTY = Buffer.alloc(0);

/** What a server socket needs from the listener that accepted it. */
export interface ConnectionOwner {
  /** True once `close` began: replies then carry `Connection: close`. */
  readonly draining: boolean;
  readonly logger?: Logger;
  /** The listener's stream mailboxes, shared by all its connections. */
  readonly streams: HttpStreamMailboxes;
}

/**
 * The server side of one HTTP connection: every POST on it is delivered through `onMessage`,
 * and `send` writes a reply as the response of the request with the same `Micro-Id`.
 */
export class HttpServerSocket implements Socket {
  readonly connectionless = true;
  readonly local: string;
  readonly remote: string;
  private readonly pending = new Map<string, ServerResponse>();
  private handler?: (message: Message) => void;
  private closeHandler?: (error?: Error) => void;
  private closed = false;
  private failure?: Error;

  constructor(
    private readonly conn: NetSocket,
    private readonly owner: ConnectionOwner,
  ) {
    this.local = joinHostPort(conn.localAddress ?? "", conn.localPort ?? 0);
    this.remote = joinHostPort(conn.remoteAddress ?? "", conn.remotePort ?? 0);
  }

  send(reply: Message): Promise<void> {
    // A stream's messages wait for the client's poll; one for a stream already over is dropped.
    if (reply.header[Headers.stream] !== undefined && (this.owner.streams.push(reply) || !this.pending.has(reply.header[Headers.id] ?? ""))) {
      return Promise.resolve();
    }
    const id = reply.header[Headers.id];
    const res = id === undefined ? undefined : this.pending.get(id);
    if (id === undefined || res === undefined) {
      if (this.closed) return Promise.reject(connectionError(this.remote, "connection closed"));
      return Promise.reject(badRequest(`no request with Micro-Id ${id ?? "(none)"} awaits a reply`));
    }
    this.pending.delete(id);
    if (res.destroyed) return Promise.reject(connectionError(this.remote, "connection closed"));
    try {
      res.writeHead(200, headerList(reply.header, reply.body.length, this.owner.draining));
    } catch (err) {
      // Node validates header names and values; a bad one must not leave the caller hanging.
      writeError(res, internalServerError("the reply could not be written"), id, false);
      return Promise.reject(badRequest(`invalid reply header: ${(err as Error).message}`));
    }
    endWith(res, reply.body);
    return QUEUED;
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
    if (this.closed) queueMicrotask(() => handler(this.failure));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.conn.once("close", () => resolve()));
    // End gracefully so replies already written are flushed, then release the descriptor.
    if (this.conn.writableFinished) this.conn.destroy();
    else this.conn.end(() => this.conn.destroy());
    return done;
  }

  /** True when no delivered request awaits its reply. */
  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Destroys the connection at once, dropping unanswered requests. */
  destroy(): void {
    this.conn.destroy();
  }

  /** Hands a complete request to the message handler; called by the listener. */
  deliver(message: Message, id: string, res: ServerResponse): void {
    if (message.header[Headers.stream] !== undefined) return this.deliverStream(message, res);
    if (this.pending.has(id)) {
      writeError(res, badRequest(`Micro-Id ${id} is already awaiting a reply on this connection`), id, false);
      return;
    }
    const handler = this.handler;
    if (handler === undefined) {
      writeError(res, serviceUnavailable("no handler accepts messages on this connection"), id, false);
      return;
    }
    this.pending.set(id, res);
    try {
      handler(message);
    } catch (err) {
      this.owner.logger?.error("http transport: message handler threw", { remote: this.remote, error: String(err) });
      if (this.pending.get(id) === res) {
        this.pending.delete(id);
        writeError(res, internalServerError("the server failed to accept the message"), id, false);
      }
    }
  }

  /**
   * A stream POST: a poll waits in the stream's mailbox; any other message goes to the handler
   * and is answered at once with a 204 (what the server sends travels on polls).
   */
  private deliverStream(message: Message, res: ServerResponse): void {
    const h = message.header;
    const stream = h[Headers.stream]!;
    if (h[POLL_HEADER] !== undefined) return this.owner.streams.poll(stream, res);
    if (h[Headers.endpoint] !== undefined) this.owner.streams.open(stream, (m) => this.inject(m));
    this.inject(message);
    if (h[Headers.cancel] !== undefined) this.owner.streams.drop(stream);
    if (!res.headersSent && !res.destroyed) res.writeHead(204, { [Headers.id]: stream, [Headers.stream]: stream }).end();
  }

  /** Hands a message that needs no HTTP answer to the message handler. */
  private inject(message: Message): void {
    try {
      this.handler?.(message);
    } catch (err) {
      this.owner.logger?.error("http transport: message handler threw", { remote: this.remote, error: String(err) });
    }
  }

  /** Tells the handler the client gave up on `id`, as the tcp transport's cancel message would. */
  private cancel(id: string): void {
    try {
      this.handler?.({ header: { [Headers.id]: id, [Headers.cancel]: "1" }, body: EMPTY });
    } catch (err) {
      this.owner.logger?.error("http transport: message handler threw", { remote: this.remote, error: String(err) });
    }
  }

  /** Records why the connection failed, reported to `onClose`. */
  fail(error: Error): void {
    this.failure ??= error;
  }

  /** Marks the socket closed and tells the close handler; called once when the connection closes. */
  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    // Whatever was still unanswered has lost its caller.
    const unanswered = [...this.pending.keys()];
    this.pending.clear();
    for (const id of unanswered) this.cancel(id);
    try {
      this.closeHandler?.(this.failure);
    } catch (err) {
      this.owner.logger?.error("http transport: close handler threw", { remote: this.remote, error: String(err) });
    }
  }
}
