import { randomUUID } from "node:crypto";
import type { Root } from "protobufjs";
import type { Subscription } from "../broker/broker";
import { CodecSet } from "../codec/codecs";
import type { HandlerDescriptor, SubscriberDescriptor } from "../discovery/descriptors";
import type { Constructor } from "../decorators/metadata-keys";
import type { Logger } from "../logger/logger";
import type { Node, ServiceRecord } from "../registry/registry";
import { QUEUED, type Listener, type Message, type Socket } from "../transport/transport";
import { isCancel, SocketCancellations } from "./cancellation";
import { debugHandlers } from "../debug/handlers";
import { ProcessStats, RequestCounters } from "../debug/process-stats";
import { ErrorIds, serviceUnavailable } from "../errors";
import { compose } from "../wrappers/chain";
import { dispatch, errorReply, validateAndInvoke, type DispatchDeps } from "./dispatch";
import { Inflight } from "./inflight";
import { resolveRpcServerOptions, type RpcServerOptions } from "./options";
import { advertiseAddress } from "./advertise";
import { Registration } from "./registration";
import { Router } from "./router";
import type { HandlerFn, HandlerWrapperLike, Server } from "./server";
import { subscribeAll } from "./subscribers";
import { ServerStreams } from "./streams";
import { Headers } from "../transport/headers";
import { hasValidationRules } from "./validation";

type State = "new" | "starting" | "running" | "stopping" | "stopped";

/**
 * The default server: routes request messages to handler descriptors, delivers broker events
 * to subscribers, registers the node, and on stop deregisters before it drains.
 */
export class RpcServer implements Server {
  readonly name: string;
  private readonly options: RpcServerOptions;
  private readonly router = new Router();
  private readonly codecs: CodecSet;
  private readonly inflight = new Inflight();
  private readonly subscribers: SubscriberDescriptor[] = [];
  private readonly handlers: HandlerDescriptor[] = [];
  private readonly nodeId: string;
  private state: State = "new";
  private listener?: Listener;
  private registration?: Registration;
  private subscriptions: Subscription[] = [];
  private stopping?: Promise<void>;
  private advertised = "";
  private streams?: ServerStreams;
  private readonly counters = new RequestCounters();
  /** Aborts when the server starts to stop: endless debug streams (`micro logs --follow`) end then, not at the drain timeout. */
  private readonly stopSignal = new AbortController();
  private readonly stats = new ProcessStats(this.counters, () => this.inflight.size, () => this.openSockets);
  private openSockets = 0;
  private protoRoot?: Root;

  constructor(options: Partial<RpcServerOptions> & Pick<RpcServerOptions, "name" | "registry" | "transport">) {
    const resolved = resolveRpcServerOptions(options);
    this.name = resolved.name;
    this.nodeId = resolved.id ?? `${this.name}-${randomUUID()}`;
    // Every line the server (and what it runs) writes names its node.
    this.options = { ...resolved, logger: resolved.logger.child({ node: this.nodeId }) };
    this.codecs = new CodecSet(this.options.codecs);
    for (const d of debugHandlers({ ...this.options.debug, stats: this.stats, stopping: this.stopSignal.signal })) this.router.add(d);
    // A bad advertise address fails here, before anything listens.
    if (this.options.advertise) advertiseAddress(this.options.advertise, "127.0.0.1:0");
  }

  get address(): string {
    return this.advertised;
  }

  /** Client connections open now, for metrics and `Debug.Stats`. */
  get connections(): number {
    return this.openSockets;
  }

  handle(descriptors: readonly HandlerDescriptor[]): void {
    for (const d of descriptors) {
      this.router.add(d);
      this.handlers.push(d);
      if (d.validate) warnIfUnchecked(this.options.logger, d.endpoint, d.requestType);
    }
  }

  /** Gives the transport the `.proto` types behind the handlers (gRPC server reflection serves their files). */
  useProtoTypes(protos: { readonly root: Root }): void {
    this.protoRoot = protos.root;
  }

  subscribe(descriptors: readonly SubscriberDescriptor[]): void {
    for (const d of descriptors) {
      if (d.validate && !d.eventType) throw new TypeError(`subscriber of "${d.topic}" has validate: true but no eventType`);
      if (d.validate) warnIfUnchecked(this.options.logger, `subscriber of "${d.topic}"`, d.eventType);
    }
    this.subscribers.push(...descriptors);
  }

  record(): ServiceRecord {
    const o = this.options;
    const endpoints = this.router.endpoints();
    const metadata: Record<string, string> = {
      server: "rpc",
      protocol: "mucp",
      transport: o.transport.name,
      registry: o.registry.name,
      broker: o.broker?.name ?? "",
    };
    // Clients decide retries per node without reading endpoint records: the idempotent names ride on the node.
    const idempotent = endpoints.filter((e) => e.metadata?.idempotent === "true").map((e) => e.name);
    if (idempotent.length > 0) metadata.idempotent = idempotent.join(",");
    const node: Node = { id: this.nodeId, address: this.advertised, metadata };
    return { name: o.name, version: o.version, metadata: o.metadata, endpoints, nodes: [node] };
  }

  async start(): Promise<void> {
    if (this.state !== "new") return;
    this.state = "starting";
    const o = this.options;
    const inner = validateAndInvoke(o.forbidNonWhitelisted);
    const chain = compose(o.wrappers, inner, o.instantiate);
    const chains = new Map<HandlerDescriptor, HandlerFn>();
    for (const d of this.handlers) {
      if (d.wrappers?.length) chains.set(d, compose([...o.wrappers, ...(d.wrappers as readonly HandlerWrapperLike[])], inner, o.instantiate));
    }
    const deps: DispatchDeps = {
      service: o.name,
      router: this.router,
      codecs: this.codecs,
      chain,
      chains: chains.size > 0 ? chains : undefined,
      logger: o.logger,
      client: o.client,
      forbidNonWhitelisted: o.forbidNonWhitelisted,
    };
    this.streams = new ServerStreams(deps, this.inflight);
    this.listener = await o.transport.listen(o.address, (socket) => this.serve(socket, deps), {
      maxBodyBytes: o.maxBodyBytes,
      catalog: { service: o.name, kind: (e) => this.router.kind(e), names: () => this.router.names(), grpcPath: (e) => this.router.grpcPath(e), protoRoot: () => this.protoRoot },
      // Connections must outlive the drain, or a long drain loses its replies.
      closeTimeoutMs: o.drainTimeoutMs + 1000,
    });
    const advertised = advertiseAddress(o.advertise, this.listener.address);
    this.advertised = advertised.address;
    if (advertised.reason === "wildcard") {
      o.logger.info(`listening on every interface (${this.listener.address}) but advertising ${advertised.address}; set --server_advertise (MICRO_SERVER_ADVERTISE) to advertise another address`, {
        address: this.listener.address,
        advertise: advertised.address,
      });
    }
    if (o.broker && this.subscribers.length > 0) {
      const subDeps = {
        service: o.name,
        broker: o.broker,
        codecs: this.codecs,
        inflight: this.inflight,
        logger: o.logger,
        client: o.client,
        forbidNonWhitelisted: o.forbidNonWhitelisted,
        wrappers: o.subscriberWrappers,
        instantiate: o.instantiate,
      };
      this.subscriptions = await subscribeAll(subDeps, this.subscribers);
    }
    this.registration = new Registration(o.registry, () => this.record(), o.registerTtlMs, o.registerIntervalMs, o.logger);
    await this.registration.start();
    this.state = "running";
    this.stats.start();
    o.logger[o.startLogLevel ?? "info"]("server listening", { version: o.version, address: this.listener.address, advertise: this.advertised, transport: o.transport.name });
  }

  stop(): Promise<void> {
    if (this.state === "new") {
      this.state = "stopped";
      return Promise.resolve();
    }
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Deregister → unsubscribe → stop accepting → drain (bounded) → close. */
  private async shutdown(): Promise<void> {
    const o = this.options;
    const started = this.state === "running";
    this.state = "stopping";
    this.stopSignal.abort();
    await this.registration?.stop();
    await Promise.all(this.subscriptions.map((s) => s.unsubscribe().catch(() => undefined)));
    const closing = this.listener?.close();
    const drained = await this.inflight.idle(o.drainTimeoutMs);
    if (!drained) o.logger.warn("drain timeout: stopping with work in flight", { inflight: this.inflight.size, drainTimeoutMs: o.drainTimeoutMs });
    if (!drained) this.streams?.abortAll(serviceUnavailable("server is shutting down", ErrorIds.draining));
    await closing;
    this.stats.stop();
    this.state = "stopped";
    // After a failed start, "server stopped" would read as if it had been serving.
    o.logger.info(started ? "server stopped" : "server cleaned up after a failed start");
  }

  private serve(socket: Socket, deps: DispatchDeps): void {
    const max = this.options.maxInflight;
    const cancels = new SocketCancellations();
    const streams = this.streams!;
    this.openSockets++;
    const lost = (err: unknown): void => this.options.logger.debug("reply not delivered", { remote: socket.remote, error: String(err) });
    socket.onMessage((msg: Message) => {
      if (msg.header[Headers.stream] !== undefined) return streams.deliver(socket, msg);
      // A cancel is never refused: it frees work instead of adding any.
      if (isCancel(msg)) return cancels.cancel(msg);
      // The load shedder: one compare per request. The refusal is provably before any handler, so clients retry it.
      if (this.inflight.size >= max) return this.shed(socket, msg);
      this.inflight.begin();
      // One reaction per request: a reply queued at once (QUEUED) ends it there; any other send
      // keeps it in flight until the transport took the reply, so a drain waits for it.
      dispatch(deps, msg, cancels).then(
        (reply) => {
          this.counters.requests++;
          if (reply.header[Headers.error] !== undefined) this.counters.errors++;
          let sent: Promise<void>;
          try {
            sent = socket.send(reply);
          } catch (err) {
            sent = Promise.reject(err);
          }
          if (sent === QUEUED) return this.inflight.end();
          void sent.catch(lost).finally(() => this.inflight.end());
        },
        // dispatch answers every failure itself; this only keeps a bug from leaving the request in flight.
        (err: unknown) => (lost(err), this.inflight.end()),
      );
    });
    socket.onClose((error) => {
      this.openSockets--;
      cancels.cancelAll();
      streams.socketClosed(socket, error);
    });
  }

  private overloadedHeader?: string;

  /** Answers 503 `tsmicro.overloaded` without dispatching. */
  private shed(socket: Socket, msg: Message): void {
    this.overloadedHeader ??= serviceUnavailable(
      `${this.name} has ${this.options.maxInflight} requests in flight; try another node`,
      ErrorIds.overloaded,
    ).toHeader();
    socket.send(errorReply(msg, this.overloadedHeader)).catch(() => undefined);
  }
}

/** A class without class-validator decorators is accepted unchecked; say so once, at start-up. */
function warnIfUnchecked(logger: Logger, what: string, type: Constructor | undefined): void {
  if (!type || hasValidationRules(type)) return;
  logger.warn(`${what}: ${type.name} has no class-validator decorators: its fields are not checked`, { handler: what, class: type.name });
}
