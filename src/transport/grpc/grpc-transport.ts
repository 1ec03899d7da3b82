import type { DialOptions, Listener, ListenOptions, Socket, Transport } from "../transport";
import { connectGrpc, GrpcClientSocket } from "./client-socket";
import { GrpcListener } from "./listener";
import { resolveGrpcTransportOptions, type GrpcTransportOptions, type ResolvedGrpcTransportOptions } from "./options";

/**
 * gRPC over HTTP/2 (node:http2), interoperable with stock gRPC clients and servers: the path
 * `/greeter.Greeter/Hello` is the endpoint `Greeter.Hello`, gRPC status codes map to and from
 * MicroError, `grpc-timeout` is the deadline; health checks and server reflection are answered
 * by the listener (docs/transport.md, "gRPC").
 */
export class GrpcTransport implements Transport {
  readonly name = "grpc";
  private readonly options: ResolvedGrpcTransportOptions;
  private readonly dialed = new Set<GrpcClientSocket>();

  constructor(options: GrpcTransportOptions = {}) {
    this.options = resolveGrpcTransportOptions(options);
  }

  async listen(address: string, accept: (socket: Socket) => void, options: ListenOptions = {}): Promise<Listener> {
    const o = this.options;
    const listener = new GrpcListener(accept, {
      catalog: options.catalog,
      maxBodyBytes: options.maxBodyBytes ?? o.maxBodyBytes,
      closeTimeoutMs: options.closeTimeoutMs ?? o.closeTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      maxConcurrentStreams: o.maxConcurrentStreams,
      maxConnections: o.maxConnections,
      logger: o.logger,
    });
    await listener.bind(address);
    return listener;
  }

  async dial(address: string, options: DialOptions = {}): Promise<Socket> {
    const o = this.options;
    const session = await connectGrpc(address, options.timeoutMs ?? o.dialTimeoutMs, o.keepAliveMs);
    const socket = new GrpcClientSocket(session, address, o.maxBodyBytes, this.forget);
    this.dialed.add(socket);
    return socket;
  }

  async close(): Promise<void> {
    await Promise.all([...this.dialed].map((socket) => socket.close()));
  }

  private readonly forget = (socket: GrpcClientSocket): void => {
    this.dialed.delete(socket);
  };
}
