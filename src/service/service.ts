import type { Container } from "inversify";
import type { Broker } from "../broker/broker";
import type { Client } from "../client/client";
import type { Logger } from "../logger/logger";
import type { Registry } from "../registry/registry";
import type { Selector } from "../selector/selector";
import type { Server } from "../server/server";
import type { Transport } from "../transport/transport";
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
}

/**
 * A running microservice: go-micro's lifecycle with graceful drain. Start: beforeStart →
 * broker connect → server start (listen, subscribe, register) → afterStart. Stop: beforeStop →
 * deregister → stop accepting → drain → close transport → disconnect broker → afterStop.
 */
export class MicroService {
  readonly server: Server;
  readonly client: Client;
  readonly registry: Registry;
  readonly transport: Transport;
  readonly broker: Broker;
  readonly selector: Selector;
  readonly logger: Logger;
  readonly container?: Container;
  private readonly hooks: ServiceHooks;
  private started?: Promise<void>;
  private stopped?: Promise<void>;
  private resolveDone!: () => void;
  /** Resolves once the service has fully stopped. */
  readonly done: Promise<void>;

  constructor(parts: ServiceParts) {
    ({ server: this.server, client: this.client, registry: this.registry, transport: this.transport } = parts);
    ({ broker: this.broker, selector: this.selector, logger: this.logger, container: this.container } = parts);
    this.hooks = parts.hooks ?? {};
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** The service name. */
  get name(): string {
    return this.server.name;
  }

  /**
   * Starts once; later calls return the same promise. Rejects when any step fails, with a
   * sentence naming the address for the usual listen errors (`address 127.0.0.1:8080 is in use`).
   */
  start(): Promise<void> {
    this.started ??= this.doStart().catch((err: unknown) => Promise.reject(explainStartError(err)));
    return this.started;
  }

  /** Stops once; later calls return the same promise. */
  stop(): Promise<void> {
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  private async doStart(): Promise<void> {
    for (const hook of this.hooks.beforeStart ?? []) await hook();
    await this.broker.connect();
    await this.server.start();
    for (const hook of this.hooks.afterStart ?? []) await hook();
  }

  private async doStop(): Promise<void> {
    await this.started?.catch(() => undefined);
    await this.runStopHooks(this.hooks.beforeStop);
    await this.step("server", () => this.server.stop());
    await this.step("client", () => this.client.close());
    await this.step("transport", () => this.transport.close());
    await this.step("broker", () => this.broker.disconnect());
    await this.step("selector", () => this.selector.close());
    await this.step("registry", () => this.registry.close());
    await this.runStopHooks(this.hooks.afterStop);
    this.resolveDone();
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
