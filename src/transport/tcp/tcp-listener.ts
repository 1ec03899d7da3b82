import { createServer, type Server, type Socket as NetSocket } from "node:net";
import type { Logger } from "../../logger/logger";
import { bindServer } from "../address";
import type { Listener, Socket } from "../transport";
import { TcpServerSocket, type TcpSocketOwner } from "./tcp-server-socket";

/** What a listener is configured with (resolved from transport and listen options). */
export interface TcpListenerConfig {
  maxBodyBytes: number;
  closeTimeoutMs: number;
  maxFrameBytes: number;
  maxQueuedBytes: number;
  keepAliveMs: number;
  logger?: Logger;
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
    this.closing ??= new Promise<void>((resolve) => {
      this.draining = true;
      // The safety bound: connections whose replies never come are destroyed, so close cannot hang.
      const timer = setTimeout(() => {
        for (const sock of this.sockets) void sock.destroy();
      }, this.config.closeTimeoutMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const sock of this.sockets) sock.goaway();
    });
    return this.closing;
  }

  forget(socket: TcpServerSocket): void {
    this.sockets.delete(socket);
  }

  private readonly onConnection = (conn: NetSocket): void => {
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
    }
  };
}
