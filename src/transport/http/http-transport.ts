import type { DialOptions, Listener, Socket, Transport } from "../transport";
import { splitHostPort } from "../../internal/address";
import { HttpClientSocket } from "./http-client-socket";
import { HttpListener } from "./http-listener";
import { resolveHttpTransportOptions, type HttpListenOptions, type HttpTransportOptions, type ResolvedHttpTransportOptions } from "./options";

/**
 * go-micro's default transport: each message is one HTTP/1.1 `POST /` on a kept-alive
 * connection, its headers the HTTP headers and its body the HTTP body.
 */
export class HttpTransport implements Transport {
  readonly name = "http";
  private readonly options: ResolvedHttpTransportOptions;
  private readonly dialed = new Set<HttpClientSocket>();

  constructor(options: HttpTransportOptions = {}) {
    this.options = resolveHttpTransportOptions(options);
  }

  async listen(address: string, accept: (socket: Socket) => void, options: HttpListenOptions = {}): Promise<Listener> {
    const o = this.options;
    const listener = new HttpListener(accept, {
      maxBodyBytes: options.maxBodyBytes ?? o.maxBodyBytes,
      closeTimeoutMs: options.closeTimeoutMs ?? o.closeTimeoutMs,
      keepAliveTimeoutMs: o.keepAliveTimeoutMs,
      headersTimeoutMs: o.headersTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      logger: o.logger,
    });
    await listener.bind(address);
    return listener;
  }

  async dial(address: string, options: DialOptions = {}): Promise<Socket> {
    const o = this.options;
    const socket = new HttpClientSocket(
      address,
      splitHostPort(address),
      { maxSockets: o.maxSocketsPerAddress, idleTimeoutMs: o.idleTimeoutMs, connectTimeoutMs: options.timeoutMs ?? o.dialTimeoutMs, maxResponseBytes: o.maxResponseBytes, logger: o.logger },
      this.forget,
    );
    this.dialed.add(socket);
    return socket;
  }

  async close(): Promise<void> {
    await Promise.all([...this.dialed].map((socket) => socket.close()));
  }

  private readonly forget = (socket: HttpClientSocket): void => {
    this.dialed.delete(socket);
  };
}
