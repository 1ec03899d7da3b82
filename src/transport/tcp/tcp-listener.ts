import { createServer, type Server, type Socket as NetSocket } from "node:net";
import type { Logger } from "../../logger/logger";
import { bindServer } from "../address";
import type { Listener, Socket } from "../transport";
import { PREFACE } from "./frame";
import { TcpServerSocket, type TcpSocketOwner } from "./tcp-server-socket";

/** What a listener is configured with (resolved from transport and listen options). */
export interface TcpListenerConfig {
  maxBodyBytes: number;
  closeTimeoutMs: number;
  maxFrameBytes: number;
  maxQueuedBytes: number;
  keepAliveMs: number;
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

  constructor(
    private readonly accept: (socket: Socket) => void,
    private readonly config: TcpListenerConfig,
  ) {
    this.logger = config.logger;
    this.server = createServer({ noDelay: true }, this.onConnection);
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
      }, this.config.closeTimeoutMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const sock of this.sockets) sock.goaway();
    });
  }

  forget(socket: TcpServerSocket): void {
    this.sockets.delete(socket);
  }

  private readonly onConnection = (conn: NetSocket): void => {
    const fallback = this.config.fallback;
    if (!fallback) return this.serve(conn);
    // Sniff the first byte once per connection: the preface starts with "M", HTTP methods do not.
    conn.once("data", (first: Buffer) => {
      conn.pause();
      conn.unshift(first);
      if (first[0] === PREFACE[0]) this.serve(conn);
      else fallback.adopt(conn);
      conn.resume();
    });
  };

  private serve(conn: NetSocket): void {
    const c = this.config;
    const sock = new TcpServerSocket(conn, this, {
      maxBodyBytes: c.maxBodyBytes,
      maxFrameBytes: Math.max(c.maxFrameBytes, c.maxBodyBytes + MAX_HEAD_BYTES),
      maxQueuedBytes: c.maxQueuedBytes,
      keepAliveMs: c.keepAliveMs,
      logger: c.logger,
    });
    this.sockets.add(sock);
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
