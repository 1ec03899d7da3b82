import type { Container } from "inversify";
import type { Broker } from "../broker/broker";
import type { Client } from "../client/client";
import type { Logger } from "../logger/logger";
import type { Registry } from "../registry/registry";
import type { Selector } from "../selector/selector";
import type { Server } from "../server/server";
import type { Transport } from "../transport/transport";
import { callLifecycleHook, type LifecycleHook } from "./lifecycle";
import { explainStartError } from "./start-error";

/** A lifecycle hook; errors in start hooks abort the start, errors in stop hooks are logged. */
export type Hook = () => void | Promise<void>;

/** Hooks run around start and stop, in order. */
export interface ServiceHooks {
  beforeStart?: Hook[];
  afterStart?: Hook[];
  beforeStop?: Hook[];
  afterStop?: Hook[];
}

/** The parts a service is assembled from. */
export interface ServiceParts {
  server: Server;
  client: Client;
  registry: Registry;
  transport: Transport;
  broker: Broker;
  selector: Selector;
  logger: Logger;
  container?: Container;
  hooks?: ServiceHooks;
  /** Provider and service instances whose lifecycle hooks (`onModuleInit`, …) run, in start-up order. */
  lifecycle?: readonly object[];
  /** Other things the service owns and closes after its transport (e.g. transports dialled for other nodes). */
  owned?: ReadonlyArray<{ close(): Promise<void> }>;
  /** Says the service is up (the start-up summary on a terminal), after the server started. */
  announce?: () => void;
}

/** A service whose parts are built asynchronously (plugins loaded, async factories awaited) on first `ready()` or `start()`. */
export interface DeferredServiceParts {
  name: string;
  logger: Logger;
  container?: Container;
  hooks?: ServiceHooks;
  build: () => Promise<ServiceParts>;
}

/**
 * A running microservice: go-micro's lifecycle with graceful drain and NestJS's provider hooks.
 * Start: build → onModuleInit → onApplicationBootstrap → beforeStart → broker connect → server
 * start (listen, subscribe, register) → afterStart. Stop: beforeStop →
 * beforeApplicationShutdown → deregister → stop accepting → drain → close transport →
 * disconnect broker → close registry → onModuleDestroy → afterStop.
 */
export class MicroService {
  readonly logger: Logger;
  readonly container?: Container;
  private readonly hooks: ServiceHooks;
  private readonly serviceName?: string;
  private readonly build?: () => Promise<ServiceParts>;
  private parts?: ServiceParts;
  private building?: Promise<ServiceParts>;
  private initialised = false;
  private started?: Promise<void>;
  private stopped?: Promise<void>;
  private resolveDone!: () => void;
  /** Resolves once the service has fully stopped. */
  readonly done: Promise<void>;

  constructor(parts: ServiceParts | DeferredServiceParts) {
    this.logger = parts.logger;
    this.container = parts.container;
    this.hooks = parts.hooks ?? {};
    if ("build" in parts) [this.serviceName, this.build] = [parts.name, parts.build];
    else this.parts = parts;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** The server; like every part, available once `ready()` (or `start()`) has resolved. */
  get server(): Server {
    return this.built().server;
  }
  /** The client bound to this service. */
  get client(): Client {
    return this.built().client;
  }
  /** The registry the service registers in. */
  get registry(): Registry {
    return this.built().registry;
  }
  /** The transport the service listens on. */
  get transport(): Transport {
    return this.built().transport;
  }
  /** The broker subscribers and `publish` use. */
  get broker(): Broker {
    return this.built().broker;
  }
  /** The selector the client picks nodes with. */
  get selector(): Selector {
    return this.built().selector;
  }

  /** The service name. */
  get name(): string {
    return this.serviceName ?? this.built().server.name;
  }

  /**
   * Builds the service's parts once (loads the chosen provider plugins, awaits async factories,
   * instantiates providers and service classes) without starting anything; `start()` calls it.
   */
  async ready(): Promise<this> {
    if (!this.parts) {
      this.building ??= this.build!();
      this.parts = await this.building;
    }
    return this;
  }

  /**
   * Starts once; later calls return the same promise. Rejects when any step fails, with a
   * sentence naming the address for the usual listen errors (`address 127.0.0.1:8080 is in use`).
   */
  start(): Promise<void> {
    this.started ??= this.doStart().catch((err: unknown) => Promise.reject(explainStartError(err)));
    return this.started;
  }

  /** Stops once; later calls return the same promise. `signal` reaches `beforeApplicationShutdown`. */
  stop(signal?: string): Promise<void> {
    this.stopped ??= this.doStop(signal);
    return this.stopped;
  }

  private built(): ServiceParts {
    if (!this.parts) throw new Error(`service ${this.serviceName ?? ""} is not built yet: await service.ready() or service.start() first (or use createServiceAsync)`);
    return this.parts;
  }

  private async doStart(): Promise<void> {
    const parts = (await this.ready()).built();
    const lifecycle = parts.lifecycle ?? [];
    this.initialised = true; // from here on, shutdown hooks run even if a later start step fails
    await callLifecycleHook(lifecycle, "onModuleInit");
    await callLifecycleHook(lifecycle, "onApplicationBootstrap");
    for (const hook of this.hooks.beforeStart ?? []) await hook();
    await parts.broker.connect();
    await parts.server.start();
    parts.announce?.();
    for (const hook of this.hooks.afterStart ?? []) await hook();
  }

  private async doStop(signal: string | undefined): Promise<void> {
    await this.started?.catch(() => undefined);
    await this.building?.catch(() => undefined);
    await this.runStopHooks(this.hooks.beforeStop);
    const parts = this.parts;
    if (parts) {
      await this.lifecycleHook(parts, "beforeApplicationShutdown", signal);
      await this.step("server", () => parts.server.stop());
      await this.step("client", () => parts.client.close());
      await this.step("transport", () => parts.transport.close());
      for (const owned of parts.owned ?? []) await this.step("transport", () => owned.close());
      await this.step("broker", () => parts.broker.disconnect());
      await this.step("selector", () => parts.selector.close());
      await this.step("registry", () => parts.registry.close());
      await this.lifecycleHook(parts, "onModuleDestroy");
    }
    await this.runStopHooks(this.hooks.afterStop);
    this.resolveDone();
  }

  /** Shutdown hooks run only on instances whose start-up hooks were reached. */
  private async lifecycleHook(parts: ServiceParts, hook: LifecycleHook, ...args: unknown[]): Promise<void> {
    if (!this.initialised) return;
    await callLifecycleHook(parts.lifecycle ?? [], hook, args, (err, instance) =>
      this.logger.warn(`${hook} failed during shutdown`, { error: String(err), provider: instance.constructor?.name }),
    );
  }

  private async runStopHooks(hooks: Hook[] | undefined): Promise<void> {
    for (const hook of hooks ?? []) await this.step("stop hook", hook);
  }

  /** Runs one shutdown step; a failure is logged and shutdown goes on. */
  private async step(what: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.warn(`${what} failed during shutdown`, { error: String(err) });
    }
  }
}
