import type { Socket as NetSocket } from "node:net";
import type { DialOptions, Listener, Socket, Transport } from "../transport";
import { splitHostPort } from "../../internal/address";
import { connectTcp, TcpClientSocket } from "./tcp-client-socket";
import { httpCompanion } from "./http-companion";
import { TcpListener } from "./tcp-listener";
import { resolveTcpTransportOptions, type ResolvedTcpTransportOptions, type TcpListenOptions, type TcpTransportOptions } from "./options";

/**
 * The fast transport: messages travel as binary frames, many at once, over long-lived TCP
 * connections (the layout is in docs/protocol.md).
 */
export class TcpTransport implements Transport {
  readonly name = "tcp";
  private readonly options: ResolvedTcpTransportOptions;
  private readonly dialed = new Set<TcpClientSocket>();

  constructor(options: TcpTransportOptions = {}) {
    this.options = resolveTcpTransportOptions(options);
  }

  async listen(address: string, accept: (socket: Socket) => void, options: TcpListenOptions = {}): Promise<Listener> {
    const o = this.options;
    const maxBodyBytes = options.maxBodyBytes ?? o.maxBodyBytes;
    const closeTimeoutMs = options.closeTimeoutMs ?? o.closeTimeoutMs;
    // The same port also answers go-micro style HTTP; the HTTP listener gets those connections.
    const fallback = o.serveHttp
      ? httpCompanion(accept, {
          maxBodyBytes,
          closeTimeoutMs,
          headersTimeoutMs: o.handshakeTimeoutMs,
          requestTimeoutMs: o.requestTimeoutMs,
          idleTimeoutMs: o.idleTimeoutMs,
          logger: o.logger,
        })
      : undefined;
    const listener = new TcpListener(accept, {
      fallback,
      maxBodyBytes,
      closeTimeoutMs,
      maxFrameBytes: o.maxFrameBytes,
      maxQueuedBytes: o.maxQueuedBytes,
      keepAliveMs: o.keepAliveMs,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs,
      maxConnections: o.maxConnections,
      logger: o.logger,
    });
    await listener.bind(address);
    return listener;
  }

  async dial(address: string, options: DialOptions = {}): Promise<Socket> {
    const o = this.options;
    const target = splitHostPort(address);
    const timeoutMs = options.timeoutMs ?? o.dialTimeoutMs;
    const count = Math.max(1, Math.floor(o.connectionsPerAddress));
    const attempts = await Promise.allSettled(Array.from({ length: count }, () => connectTcp(address, target, timeoutMs)));
    const conns: NetSocket[] = [];
    for (const a of attempts) if (a.status === "fulfilled") conns.push(a.value);
    if (conns.length < count) {
      for (const conn of conns) conn.destroy();
      throw attempts.find((a): a is PromiseRejectedResult => a.status === "rejected")!.reason;
    }
    const config = { closeTimeoutMs: o.closeTimeoutMs, maxQueuedBytes: o.maxQueuedBytes, maxFrameBytes: o.maxFrameBytes, keepAliveMs: o.keepAliveMs, logger: o.logger };
    const socket = new TcpClientSocket(address, conns, config, this.forget);
    this.dialed.add(socket);
    return socket;
  }

  async close(): Promise<void> {
    await Promise.all([...this.dialed].map((socket) => socket.close()));
  }

  private readonly forget = (socket: TcpClientSocket): void => {
    this.dialed.delete(socket);
  };
}
