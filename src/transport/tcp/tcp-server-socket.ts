import { randomUUID } from "node:crypto";
import type { Socket as NetSocket } from "node:net";
import { internalServerError, payloadTooLarge, serviceUnavailable, ErrorIds, type MicroError } from "../../errors";
import type { Logger } from "../../logger/logger";
import { joinHostPort } from "../../internal/address";
import { Headers } from "../headers";
import type { Message, Socket } from "../transport";
import { TcpConnection, type ConnectionConfig } from "./tcp-connection";

/** What a server socket needs from the listener that accepted it. */
export interface TcpSocketOwner {
  /** True once `close` began: new requests are refused and idle connections close. */
  readonly draining: boolean;
  readonly logger?: Logger;
  /** Called once when the socket closed. */
  forget(socket: TcpServerSocket): void;
}

const EMPTY = Buffer.alloc(0);

// How many ended stream ids a connection remembers (oldest forgotten first): enough for the
// messages in flight when streams end, bounded whatever the peer does.
const ENDED_STREAMS_REMEMBERED = 1024;

// How long an abandoned connection may take to hand its last answers to the peer, in ms.
const ABANDON_GRACE_MS = 1000;

/**
 * The server side of one TCP connection: every message frame is delivered through `onMessage`
 * and `send` writes a frame back. It counts the `Micro-Id`s delivered and not yet answered and
 * closes the connection once the client has ended its side and every answer is written; after
 * GOAWAY it keeps reading, so every request that arrives is answered or refused, never dropped.
 */
export class TcpServerSocket implements Socket {
  readonly local: string;
  readonly remote: string;
  private readonly connection: TcpConnection;
  // Micro-Ids delivered and not yet answered (a stream counts once until it ends); `repeats`
  // counts the extra deliveries of an id already in flight, so the common path is one Set op each way.
  private readonly inflight = new Set<string>();
  private readonly repeats = new Map<string, number>();
  private answered = 0;
  // Streams this side ended lately: the peer's messages crossing the end must not reopen them.
  private readonly endedStreams = new Set<string>();
  private handler?: (message: Message) => void;
  private closeHandler?: (error?: Error) => void;
  private closed = false;
  private peerEnded = false;
  private failure?: Error;

  constructor(
    conn: NetSocket,
    private readonly owner: TcpSocketOwner,
    config: Omit<ConnectionConfig, "role" | "remote">,
  ) {
    this.local = joinHostPort(conn.localAddress ?? "", conn.localPort ?? 0);
    this.remote = joinHostPort(conn.remoteAddress ?? "", conn.remotePort ?? 0);
    this.connection = new TcpConnection(conn, { ...config, role: "server", remote: this.remote }, {
      message: (m) => this.deliver(m),
      oversize: (header, bytes) => this.refuseOversize(header, bytes, config.maxBodyBytes),
      goaway: () => undefined,
      ended: () => this.handlePeerEnd(),
      closed: (error) => this.handleClose(error),
    });
  }

  /** Bytes queued for this connection and not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.connection.queuedBytes;
  }

  /** Micro-Ids delivered on this connection and not yet answered. */
  get inflightCount(): number {
    return this.inflight.size;
  }

  send(reply: Message): Promise<void> {
    const id = reply.header[Headers.id];
    let sent: Promise<void>;
    try {
      sent = this.connection.send(reply);
    } catch (err) {
      // The caller must not wait for a reply that cannot be written: answer it with a 500.
      if (id !== undefined && this.inflight.has(id)) {
        this.refuse(id, internalServerError("the reply could not be written"));
        this.settle(id, true);
      }
      return Promise.reject(err);
    }
    if (id !== undefined && this.inflight.size > 0) {
      const stream = reply.header[Headers.stream] !== undefined;
      const final = !stream || reply.header[Headers.error] !== undefined;
      if (stream && final) this.rememberEnded(id);
      this.settle(id, final);
    }
    return sent;
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
    if (this.closed) queueMicrotask(() => handler(this.failure));
  }

  /** Writes what is queued, then closes the connection; idempotent. */
  close(): Promise<void> {
    return this.connection.end();
  }

  /** Destroys the connection at once, dropping unanswered requests. */
  destroy(): Promise<void> {
    return this.connection.destroy();
  }

  /**
   * Tells the peer this server is draining. Reading goes on: what arrives from now on is refused
   * with 503 `tsmicro.draining`. The connection closes once the peer has ended its side (it does
   * on GOAWAY) and nothing is in flight.
   */
  goaway(): void {
    this.connection.goaway();
    if (this.peerEnded && this.inflight.size === 0) void this.connection.end();
  }

  /**
   * Gives up on the requests still in flight (the drain timeout passed): each gets a 503
   * `tsmicro.unavailable`, not `tsmicro.draining`, because its handler may have run. Then the
   * connection closes, destroyed if the peer does not take the bytes within a second.
   */
  abandon(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const error = serviceUnavailable("the server stopped before the handler answered");
    for (const id of this.inflight) this.refuse(id, error);
    this.inflight.clear();
    this.repeats.clear();
    return this.connection.end(ABANDON_GRACE_MS);
  }

  private deliver(message: Message): void {
    const h = message.header;
    // A cancel is never answered, so it must not count as in flight; while draining it still stops work.
    if (h[Headers.cancel] !== undefined) return this.handler?.(message);
    const id = (h[Headers.id] ??= randomUUID());
    // A stream counts as in flight from its first message to the server's last; its other
    // messages (even after GOAWAY, even crossing the server's last) belong to it and pass on.
    const continues = h[Headers.stream] !== undefined && (this.inflight.has(id) || this.endedStreams.has(id));
    if (this.owner.draining && !continues) return this.refuse(id, serviceUnavailable("server is shutting down", ErrorIds.draining), h[Headers.stream]);
    const handler = this.handler;
    if (handler === undefined) return this.refuse(id, serviceUnavailable("no handler accepts messages on this connection"), h[Headers.stream]);
    if (continues) return this.deliverStream(handler, message);
    const size = this.inflight.size;
    this.inflight.add(id);
    if (this.inflight.size === size && h[Headers.stream] === undefined) this.repeats.set(id, (this.repeats.get(id) ?? 0) + 1);
    const answered = this.answered;
    try {
      handler(message);
    } catch (err) {
      this.owner.logger?.error("tcp transport: message handler threw", { remote: this.remote, error: String(err) });
      // Unless the handler answered before it threw, the caller must not wait forever.
      if (this.answered === answered && this.inflight.has(id)) {
        this.refuse(id, internalServerError("the server failed to accept the message"));
        this.settle(id, true);
      }
    }
  }

  private deliverStream(handler: (message: Message) => void, message: Message): void {
    try {
      handler(message);
    } catch (err) {
      this.owner.logger?.error("tcp transport: message handler threw", { remote: this.remote, error: String(err) });
    }
  }

  private rememberEnded(id: string): void {
    if (this.endedStreams.size >= ENDED_STREAMS_REMEMBERED) this.endedStreams.delete(this.endedStreams.values().next().value!);
    this.endedStreams.add(id);
  }

  /** Counts one answer to `id`; `final` is false for a stream message that does not end the stream. */
  private settle(id: string, final: boolean): void {
    if (!final) return;
    const repeats = this.repeats.size === 0 ? undefined : this.repeats.get(id);
    if (repeats === undefined) {
      if (!this.inflight.delete(id)) return;
    } else if (repeats > 1) {
      this.repeats.set(id, repeats - 1);
    } else {
      this.repeats.delete(id);
    }
    this.answered++;
    if (this.inflight.size === 0 && this.peerEnded) void this.connection.end();
  }

  /** The client sends nothing more: close once the last answer is written. */
  private handlePeerEnd(): void {
    this.peerEnded = true;
    if (this.inflight.size === 0) void this.connection.end();
  }

  private refuseOversize(header: Record<string, string>, bytes: number, limit: number): void {
    this.owner.logger?.debug("tcp transport: message over the body limit", { remote: this.remote, bytes, limit });
    this.refuse(header[Headers.id], payloadTooLarge(`body of ${bytes} bytes is over the limit of ${limit} bytes`));
  }

  /** Answers a message the transport refuses itself; the handler never sees it. */
  private refuse(id: string | undefined, err: MicroError, stream?: string): void {
    const header: Record<string, string> = { [Headers.error]: err.toHeader() };
    if (id !== undefined) header[Headers.id] = id;
    if (stream !== undefined) header[Headers.stream] = stream;
    try {
      this.connection.send({ header, body: EMPTY }).catch(() => undefined);
    } catch (e) {
      this.owner.logger?.debug("tcp transport: refusal not sent", { remote: this.remote, error: String(e) });
    }
  }

  private handleClose(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    this.inflight.clear();
    this.repeats.clear();
    this.owner.forget(this);
    try {
      this.closeHandler?.(error);
    } catch (err) {
      this.owner.logger?.error("tcp transport: close handler threw", { remote: this.remote, error: String(err) });
    }
  }
}
