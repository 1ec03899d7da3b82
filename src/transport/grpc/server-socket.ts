import { constants, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import { notFound, ErrorIds, serviceUnavailable, type MicroError } from "../../errors";
import { Headers } from "../headers";
import { QUEUED, type EndpointCatalog, type Message, type Socket } from "../transport";
import { serveBuiltin } from "./builtins";
import { HEALTH_CHECK_PATH, HEALTH_SERVICE, healthRequestService, healthResponse, ServingStatus } from "./health";
import { endpointOfPath, grpcServiceOf, isGrpcContentType } from "./metadata";
import { answerReflection, REFLECTION_PATHS, REFLECTION_SERVICES } from "./reflection";
import type { ProtoFiles } from "./proto-files";
import { refuse, refuseHttp, ServerCall, type CallHost } from "./server-call";

let sequence = 0;

/** What a server socket needs from its listener. */
export interface ServerSocketContext {
  catalog?: EndpointCatalog;
  maxBodyBytes: number;
  /** The `.proto` files reflection serves (built once per listener, on first use); undefined when there are none. */
  protoFiles(): ProtoFiles | undefined;
  /** True once the listener is closing: health says NOT_SERVING. */
  draining(): boolean;
  /** Refuse every call but health and reflection (503 `tsmicro.draining`: not delivered, safe to retry elsewhere). */
  refuseCalls?: boolean;
}

/**
 * One accepted HTTP/2 connection seen as a tsmicro socket: each gRPC call on it becomes request
 * (or stream) messages for the server, and the server's replies go back to the call with the
 * same `Micro-Id`. Health checks and reflection are answered here, without the server.
 */
export class GrpcServerSocket implements Socket, CallHost {
  readonly local: string;
  readonly remote: string;
  private readonly calls = new Map<string, ServerCall>();
  private handler: (message: Message) => void = () => undefined;
  private closeHandler?: (error?: Error) => void;
  private closed = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly session: ServerHttp2Session,
    private readonly context: ServerSocketContext,
  ) {
    const s = session.socket;
    this.local = `${s?.localAddress ?? ""}:${s?.localPort ?? 0}`;
    this.remote = `${s?.remoteAddress ?? ""}:${s?.remotePort ?? 0}`;
    session.on("stream", (stream, headers) => this.onStream(stream, headers));
    session.on("error", () => undefined); // 'close' follows
    session.on("close", () => this.onSessionClose());
  }

  /** Open calls on this connection. */
  get size(): number {
    return this.calls.size;
  }

  send(message: Message): Promise<void> {
    const h = message.header;
    const call = this.calls.get(h[Headers.stream] ?? h[Headers.id] ?? "");
    call?.send(message);
    return QUEUED;
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  close(): Promise<void> {
    if (this.session.closed || this.session.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.session.close(resolve));
  }

  /** Says GOAWAY: the client opens no new calls on this connection (those in transit up to `lastStreamId` still run). */
  goAway(lastStreamId: number): void {
    if (!this.session.closed && !this.session.destroyed) this.session.goaway(constants.NGHTTP2_NO_ERROR, lastStreamId);
  }

  /** Resolves once no call is open on this connection, or after `ms`; true when idle. */
  idle(ms: number): Promise<boolean> {
    if (this.calls.size === 0 || this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters.delete(wake);
        resolve(false);
      }, ms);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.add(wake);
    });
  }

  /** Ends every open call with `error` and destroys the connection (the close timeout passed). */
  destroy(error: MicroError): void {
    for (const call of [...this.calls.values()]) call.fail(error);
    this.session.destroy();
  }

  deliver(message: Message): void {
    this.handler(message);
  }

  done(call: ServerCall): void {
    this.calls.delete(call.id);
    if (this.calls.size === 0 && this.idleWaiters.size > 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    const all = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const wake of all) wake();
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const contentType = headers["content-type"];
    if (headers[":method"] !== "POST") return refuseHttp(stream, 405);
    if (!isGrpcContentType(contentType)) return refuseHttp(stream, 415);
    const path = String(headers[":path"] ?? "");
    const ct = contentType!;
    const json = ct.toLowerCase().includes("+json");
    const max = this.context.maxBodyBytes;
    if (path === HEALTH_CHECK_PATH) return serveBuiltin(stream, ct, true, max, (body) => this.health(body, json));
    if (REFLECTION_PATHS.has(path)) return serveBuiltin(stream, ct, false, max, (body) => answerReflection(body, this.reflection));
    const endpoint = endpointOfPath(path);
    const catalog = this.context.catalog;
    const kind = endpoint === undefined ? undefined : catalog === undefined ? "unary" : catalog.kind(endpoint);
    if (kind === undefined) {
      const service = catalog?.service ?? "this server";
      return refuse(stream, ct, notFound(`unknown method ${path}: endpoint "${endpoint ?? path}" not found on service "${service}"`, ErrorIds.endpointNotFound));
    }
    if (this.closed || this.context.refuseCalls) return refuse(stream, ct, serviceUnavailable("the server is draining; call another node", ErrorIds.draining));
    const id = `g${++sequence}`;
    this.calls.set(id, new ServerCall(id, stream, headers, endpoint!, kind, max, this));
  }

  private readonly reflection = {
    services: () => this.services(),
    filesContaining: (symbol: string) => this.context.protoFiles()?.containing(symbol) ?? [],
    fileByName: (name: string) => this.context.protoFiles()?.byName(name) ?? [],
  };

  private health(body: Buffer, json: boolean): Buffer {
    const service = healthRequestService(body, json);
    const known = service === "" || service === this.context.catalog?.service || this.services().includes(service);
    if (!known) throw notFound(`unknown service "${service}"`);
    return healthResponse(this.context.draining() ? ServingStatus.NOT_SERVING : ServingStatus.SERVING, json);
  }

  /** The gRPC services this server answers: one per endpoint class, plus health and reflection. */
  private services(): string[] {
    const catalog = this.context.catalog;
    const names = new Set<string>();
    for (const endpoint of catalog?.names() ?? []) {
      if (endpoint.startsWith("Debug.")) continue;
      // A .proto method names its own service (`greeter.Greeter`); otherwise go-micro's mapping gives one.
      const path = catalog!.grpcPath?.(endpoint);
      const s = path === undefined ? grpcServiceOf(catalog!.service, endpoint) : path.split("/")[1];
      if (s) names.add(s);
    }
    names.add(HEALTH_SERVICE);
    for (const s of REFLECTION_SERVICES) names.add(s);
    return [...names].sort();
  }

  private onSessionClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeIdle();
    this.closeHandler?.();
  }
}
