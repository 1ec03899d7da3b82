import { createServer, type Server, type Socket as NetSocket } from "node:net";
import { Sweeper } from "../../internal/sweeper";
import { clampDelay } from "../../internal/timers";
import { limitWarnings } from "../../internal/warning-limiter";
import type { Logger } from "../../logger/logger";
import { bindServer, joinHostPort } from "../../internal/address";
import type { Listener, Socket } from "../transport";
import { DRAIN_HANDSHAKE_GRACE_MS, HandshakeDeadline, IdleDeadline } from "./deadlines";
import { sniffPreface } from "./sniff";
import { TcpServerSocket, type TcpSocketOwner } from "./tcp-server-socket";

/** What a listener is configured with (resolved from transport and listen options). */
export interface TcpListenerConfig {
  maxBodyBytes: number;
  closeTimeoutMs: number;
  maxFrameBytes: number;
  maxQueuedBytes: number;
  keepAliveMs: number;
  /** How long a new connection may take to send the preface or be handed to HTTP, in ms; 0 for ever. */
  handshakeTimeoutMs: number;
  /** How long a framed connection may sit with nothing in flight and nothing received, in ms; 0 for ever. */
  idleTimeoutMs: number;
  /** Most connections open at once; more are closed as soon as they are accepted. */
  maxConnections: number;
  logger?: Logger;
  /** Serves connections that do not start with the preface (HTTP on the same port); closed with the listener. */
  fallback?: { adopt(conn: NetSocket): void; close(): Promise<void> };
}

// The largest frame head: length, type, header block length and a full header block.
const MAX_HEAD_BYTES = 7 + 0xffff;

/**
 * A node:net server speaking the tcp transport's framing: each connection becomes one server
 * `Socket`. `close` sends GOAWAY on every connection and closes each once its requests are answered.
 */
export class TcpListener implements Listener, TcpSocketOwner {
  draining = false;
  readonly logger?: Logger;
  private bound = "";
  private closing?: Promise<void>;
  private readonly server: Server;
  private readonly sockets = new Set<TcpServerSocket>();
  // Connections accepted and not yet known to be framed or HTTP.
  private readonly handshaking = new Map<NetSocket, HandshakeDeadline>();
  private readonly idle = new Map<TcpServerSocket, IdleDeadline>();
  private readonly sweeper: Sweeper;
  private readonly handshakeMs: number;

  constructor(
    private readonly accept: (socket: Socket) => void,
    private readonly config: TcpListenerConfig,
  ) {
    // Every warning a peer can provoke goes through one limiter, so peers cannot flood the log.
    this.logger = config.logger && limitWarnings(config.logger);
    this.handshakeMs = config.handshakeTimeoutMs > 0 ? config.handshakeTimeoutMs : Number.POSITIVE_INFINITY;
    const idle = config.idleTimeoutMs > 0 ? config.idleTimeoutMs : Number.POSITIVE_INFINITY;
    this.sweeper = new Sweeper(Sweeper.intervalFor(Math.min(this.handshakeMs, idle)));
    this.server = createServer({ noDelay: true }, this.onConnection);
    this.server.maxConnections = config.maxConnections;
    this.server.on("drop", this.onDrop);
  }

  get address(): string {
    return this.bound;
  }

  /** Binds the server to `address` (`host:port`; port 0 picks a free one). */
  async bind(address: string): Promise<void> {
    this.bound = await bindServer(this.server, address);
    this.server.on("error", (err) => this.logger?.error("tcp transport: server error", { error: String(err) }));
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([this.closeOwn(), this.config.fallback?.close()]).then(() => undefined);
    return this.closing;
  }

  private closeOwn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.draining = true;
      // The safety bound: connections whose replies never come are abandoned (their requests
      // answered with a 503, the connection closed), so close cannot hang.
      const timer = setTimeout(() => {
        for (const sock of this.sockets) void sock.abandon();
      }, clampDelay(this.config.closeTimeoutMs));
      this.server.close(() => {
        clearTimeout(timer);
        this.sweeper.stop();
        resolve();
      });
      // Connections still handshaking get a short grace: what they sent may be unread yet. Those
      // that finish are served and hear GOAWAY (see serve); silent ones are closed by the sweeper.
      const graceEnd = Date.now() + DRAIN_HANDSHAKE_GRACE_MS;
      for (const deadline of this.handshaking.values()) deadline.shorten(graceEnd);
      for (const sock of this.sockets) sock.goaway();
    });
  }

  forget(socket: TcpServerSocket): void {
    this.sockets.delete(socket);
    const idle = this.idle.get(socket);
    if (idle === undefined) return;
    this.idle.delete(socket);
    this.sweeper.delete(idle);
  }

  private readonly onConnection = (conn: NetSocket): void => {
    // First of all: a reset before the first byte must not become an uncaught exception.
    conn.on("error", ignoreError);
    if (this.draining) {
      conn.destroy();
      return;
    }
    const deadline = new HandshakeDeadline(conn, Date.now() + this.handshakeMs, this.onHandshakeTimeout);
    this.handshaking.set(conn, deadline);
    this.sweeper.add(deadline);
    const stop = sniffPreface(conn, (framed) => {
      this.endHandshake(conn);
      const fallback = this.config.fallback;
      if (framed || fallback === undefined) this.serve(conn);
      else fallback.adopt(conn);
    });
    conn.once("close", () => {
      stop();
      this.endHandshake(conn);
    });
  };

  private endHandshake(conn: NetSocket): void {
    const deadline = this.handshaking.get(conn);
    if (deadline === undefined) return;
    this.handshaking.delete(conn);
    this.sweeper.delete(deadline);
  }

  private readonly onHandshakeTimeout = (conn: NetSocket): void => {
    this.endHandshake(conn);
    this.logger?.warn("tcp transport: no preface in time, closing the connection", {
      remote: joinHostPort(conn.remoteAddress ?? "", conn.remotePort ?? 0),
      timeoutMs: this.config.handshakeTimeoutMs,
    });
    conn.destroy();
  };

  private readonly onDrop = (data?: { remoteAddress?: string; remotePort?: number }): void => {
    this.logger?.warn("tcp transport: connection limit reached, closing a new connection", {
      remote: joinHostPort(data?.remoteAddress ?? "", data?.remotePort ?? 0),
      maxConnections: this.config.maxConnections,
    });
  };

  private serve(conn: NetSocket): void {
    const c = this.config;
    const sock = new TcpServerSocket(conn, this, {
      maxBodyBytes: c.maxBodyBytes,
      maxFrameBytes: Math.max(c.maxFrameBytes, c.maxBodyBytes + MAX_HEAD_BYTES),
      maxQueuedBytes: c.maxQueuedBytes,
      keepAliveMs: c.keepAliveMs,
      logger: this.logger,
    });
    this.sockets.add(sock);
    if (c.idleTimeoutMs > 0 && !conn.destroyed) {
      const idle = new IdleDeadline(conn, sock, c.idleTimeoutMs, Date.now(), () => sock.goaway());
      this.idle.set(sock, idle);
      this.sweeper.add(idle);
    }
    try {
      this.accept(sock);
    } catch (err) {
      this.logger?.error("tcp transport: accept handler threw", { remote: sock.remote, error: String(err) });
      void sock.destroy();
      return;
    }
    // A connection accepted before close but served after it (its first byte came late) must hear GOAWAY too.
    if (this.draining) sock.goaway();
  }
}

// The connection's own handlers report errors that matter; this one only keeps them from crashing.
function ignoreError(): void {}
