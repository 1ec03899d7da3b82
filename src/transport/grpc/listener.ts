import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import { ErrorIds, serviceUnavailable } from "../../errors";
import { bindServer } from "../../internal/address";
import { clampDelay } from "../../internal/timers";
import type { Logger } from "../../logger/logger";
import type { EndpointCatalog, Listener, Socket } from "../transport";
import { ProtoFiles } from "./proto-files";
import { GrpcServerSocket } from "./server-socket";

/** The settings one listener runs with. */
export interface GrpcListenerConfig {
  catalog?: EndpointCatalog;
  maxBodyBytes: number;
  closeTimeoutMs: number;
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
  maxConcurrentStreams: number;
  maxConnections: number;
  logger?: Logger;
}

// HTTP/2 GOAWAY with the largest stream id: "stop opening calls here", while calls in transit still count.
const ALL_STREAMS = 2 ** 31 - 1;

/**
 * A gRPC server on one port: an HTTP/2 server whose every connection is a tsmicro socket.
 * `close` says GOAWAY on the open connections (health answers NOT_SERVING from then on), lets
 * their calls finish and closes each once idle, destroys what is left after `closeTimeoutMs`,
 * then stops listening.
 */
export class GrpcListener implements Listener {
  private readonly server: Http2Server;
  private readonly sockets = new Set<GrpcServerSocket>();
  private bound = "";
  private closing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly accept: (socket: Socket) => void,
    private readonly config: GrpcListenerConfig,
  ) {
    this.server = createServer({
      settings: { maxConcurrentStreams: config.maxConcurrentStreams },
      // The largest message plus its framing must fit in what one session may buffer.
      maxSessionMemory: Math.max(10, Math.ceil((config.maxBodyBytes * 2) / (1024 * 1024))),
    });
    this.server.on("session", (session) => this.onSession(session));
    this.server.on("sessionError", () => undefined);
    if (config.idleTimeoutMs > 0) this.server.setTimeout(config.idleTimeoutMs, () => undefined);
  }

  get address(): string {
    return this.bound;
  }

  /** Binds to `address` (`host:port`). */
  async bind(address: string): Promise<void> {
    this.bound = await bindServer(this.server, address);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private files?: ProtoFiles | null;

  /** The reflection files of the catalog's `.proto` types, built on first use. */
  private protoFiles(): ProtoFiles | undefined {
    if (this.files === undefined) {
      const root = this.config.catalog?.protoRoot?.();
      this.files = root ? new ProtoFiles(root) : null;
    }
    return this.files ?? undefined;
  }

  private onSession(session: ServerHttp2Session): void {
    if (this.stopped || this.sockets.size >= this.config.maxConnections) {
      if (!this.stopped) this.config.logger?.warn("grpc: connection refused, too many open", { max: this.config.maxConnections });
      session.on("error", () => undefined);
      session.destroy();
      return;
    }
    // A silent connection is closed once idle for idleTimeoutMs; one that never finishes its preface sooner.
    if (this.config.idleTimeoutMs > 0) session.setTimeout(this.config.idleTimeoutMs, () => session.destroy());
    if (this.config.handshakeTimeoutMs > 0) {
      const timer = setTimeout(() => session.destroy(), clampDelay(this.config.handshakeTimeoutMs));
      session.once("remoteSettings", () => clearTimeout(timer));
      session.once("close", () => clearTimeout(timer));
    }
    const socket = new GrpcServerSocket(session, {
      catalog: this.config.catalog,
      maxBodyBytes: this.config.maxBodyBytes,
      draining: () => this.closing !== undefined,
      protoFiles: () => this.protoFiles(),
      // A connection opened during the drain is for health checks: its calls go to another node.
      refuseCalls: this.closing !== undefined,
    });
    this.sockets.add(socket);
    session.once("close", () => this.sockets.delete(socket));
    this.accept(socket);
  }

  /**
   * Draining keeps the port open so health checkers (which dial a new connection per probe)
   * see NOT_SERVING; calls on new connections are refused as not delivered, while the calls
   * on the connections that got GOAWAY finish.
   */
  private async shutdown(): Promise<void> {
    const serving = [...this.sockets];
    for (const socket of serving) socket.goAway(ALL_STREAMS);
    // Each connection closes once its calls are done; the stragglers are destroyed at the deadline.
    await Promise.all(
      serving.map(async (socket) => {
        if (await socket.idle(this.config.closeTimeoutMs)) await socket.close();
        else socket.destroy(serviceUnavailable("the server closed while the call was open", ErrorIds.draining));
      }),
    );
    this.stopped = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of [...this.sockets]) socket.destroy(serviceUnavailable("the server closed", ErrorIds.draining));
    await stopped;
  }
}
