import { connect, type Socket as NetSocket } from "node:net";
import { clampDelay } from "../../internal/timers";
import { MicroError } from "../../errors";
import type { Logger } from "../../logger/logger";
import { joinHostPort, type HostPort } from "../../internal/address";
import { Headers } from "../headers";
import type { Message, Socket } from "../transport";
import { connectionError, drainingError, HttpPeerError, transportMismatch } from "./errors";
import { TcpConnection } from "./tcp-connection";

/** How one dialed socket behaves (resolved from transport and dial options). */
export interface TcpDialConfig {
  /** How long `close` waits for queued frames to reach the peer before destroying, in ms. */
  closeTimeoutMs: number;
  maxQueuedBytes: number;
  maxFrameBytes: number;
  keepAliveMs: number;
  logger?: Logger;
}

/** Opens one TCP connection to `target`, failing with a 503 `tsmicro.connection` MicroError. */
export function connectTcp(address: string, target: HostPort, timeoutMs: number): Promise<NetSocket> {
  return new Promise<NetSocket>((resolve, reject) => {
    const conn = connect({ host: target.host === "" ? undefined : target.host, port: target.port, noDelay: true });
    const timer = setTimeout(() => {
      conn.destroy(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, clampDelay(timeoutMs));
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(connectionError(address, err));
    };
    conn.once("error", onError);
    conn.once("connect", () => {
      clearTimeout(timer);
      conn.off("error", onError);
      // Until its TcpConnection takes over, an error must not go unheard (that would crash).
      conn.on("error", ignore);
      resolve(conn);
    });
  });
}

/**
 * The client side of the TCP transport: messages go out as frames over one or more
 * connections to one address (a message's `Micro-Stream`, else its `Micro-Id`, picks the
 * connection, so one exchange stays in order) and every frame received is delivered through
 * `onMessage`. The connections live and die together: when one fails, the socket closes; after
 * a graceful close (GOAWAY, `close`) the socket closes once every connection has.
 */
export class TcpClientSocket implements Socket {
  readonly local: string;
  readonly remote: string;
  private readonly connections: TcpConnection[];
  private handler?: (message: Message) => void;
  private closeHandler?: (error?: Error) => void;
  private closed = false;
  private notified = false;
  private failure?: Error;
  private goingAway = false;
  // Streams opened here and not yet ended: after GOAWAY their messages still go out, and the
  // connections half-close only once the last of them ended.
  private readonly streams = new Set<string>();

  constructor(
    address: string,
    conns: readonly NetSocket[],
    private readonly config: TcpDialConfig,
    private readonly onClosed: (socket: TcpClientSocket) => void,
  ) {
    this.remote = address;
    this.local = joinHostPort(conns[0]?.localAddress ?? "", conns[0]?.localPort ?? 0);
    const connectionConfig = { ...config, role: "client" as const, remote: address, maxBodyBytes: config.maxFrameBytes };
    this.connections = conns.map(
      (conn) =>
        new TcpConnection(conn, connectionConfig, {
          message: (m) => this.deliver(m),
          oversize: () => undefined,
          goaway: () => this.handleGoaway(),
          ended: ignore,
          closed: (error) => this.handleClose(error),
        }),
    );
  }

  /** True once the server said GOAWAY: new sends are refused with `tsmicro.draining`. */
  get draining(): boolean {
    return this.goingAway;
  }

  send(message: Message): Promise<void> {
    if (this.closed) {
      const failure = this.failure;
      return Promise.reject(failure instanceof MicroError ? failure : connectionError(this.remote, failure ?? "socket closed"));
    }
    const stream = message.header[Headers.stream];
    if (stream !== undefined) {
      if (!this.streams.has(stream)) {
        if (this.goingAway) return Promise.reject(drainingError(this.remote));
        this.streams.add(stream);
      } else if (message.header[Headers.cancel] !== undefined) {
        this.streamEnded(stream);
      }
    } else if (this.goingAway) {
      return Promise.reject(drainingError(this.remote));
    }
    const all = this.connections;
    const connection = all.length === 1 ? all[0]! : all[pick(message.header, all.length)]!;
    try {
      return connection.send(message);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
    if (this.notified) queueMicrotask(() => handler(this.failure));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.connections.map((c) => c.end(this.config.closeTimeoutMs)));
  }

  private deliver(message: Message): void {
    if (this.streams.size > 0 && message.header[Headers.error] !== undefined) {
      this.streamEnded(message.header[Headers.stream] ?? message.header[Headers.id] ?? "");
    }
    try {
      this.handler?.(message);
    } catch (err) {
      this.config.logger?.error("tcp transport: message handler threw", { remote: this.remote, error: String(err) });
    }
  }

  /**
   * The server takes no new requests: sends are refused from now on, and each connection
   * half-closes after what is already queued. The server reads up to that end, so every frame
   * sent before this point is answered or refused; the answers still arrive here.
   */
  private handleGoaway(): void {
    if (this.goingAway) return;
    this.goingAway = true;
    if (this.streams.size === 0) this.halfCloseAll();
  }

  /** Forgets an ended stream; the last one to end after GOAWAY lets the connections half-close. */
  private streamEnded(id: string): void {
    if (this.streams.delete(id) && this.goingAway && this.streams.size === 0) {
      // After the cancel or the peer's last message is queued, nothing more of this side is due.
      queueMicrotask(() => this.halfCloseAll());
    }
  }

  private halfCloseAll(): void {
    // A server gives up on its requests `closeTimeoutMs` after it began to drain, answering them
    // with a 503; waiting twice that (the same setting on both ends is the common case) lets
    // those answers arrive, and still lets go of a server that never closes.
    for (const c of this.connections) c.halfClose(2 * this.config.closeTimeoutMs);
  }

  private handleClose(error: Error | undefined): void {
    if (this.notified) return;
    // A reply in HTTP means the node serves another transport: say so instead of "bad frame length".
    if (error instanceof HttpPeerError) error = transportMismatch(this.remote);
    // A graceful close (the peer closed after our half-close, or `close`) waits for the siblings.
    if (error === undefined && this.connections.some((c) => !c.isClosed)) return;
    this.notified = this.closed = true;
    this.failure = error;
    for (const c of this.connections) if (!c.isClosed) void c.destroy();
    this.onClosed(this);
    try {
      this.closeHandler?.(error);
    } catch (err) {
      this.config.logger?.error("tcp transport: close handler threw", { remote: this.remote, error: String(err) });
    }
  }
}

function ignore(): void {}

/** The connection for a message: by stream, else by id, so one exchange never reorders. */
function pick(header: Record<string, string>, n: number): number {
  const key = header[Headers.stream] ?? header[Headers.id] ?? "";
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return (h >>> 0) % n;
}
