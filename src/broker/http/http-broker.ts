import { RegistryCache } from "../../registry/cache";
import type { Logger } from "../../logger/logger";
import { randomUUID } from "node:crypto";
import { serviceUnavailable } from "../../errors";
import type { Node, ServiceRecord } from "../../registry/registry";
import { joinHostPort, splitHostPort } from "../../internal/address";
import { DialAgent } from "../../internal/http/dial-agent";
import { clampDelay } from "../../internal/timers";
import type { Broker, BrokerHandler, BrokerMessage, PublishOptions, SubscribeOptions, Subscription } from "../broker";
import { resolveDelivery, type ResolvedDelivery } from "../delivery";
import { BackoffTimers, deliverInProcess, type RedeliveryHost, type RedeliveryTarget } from "../redeliver";
import { Inbox } from "./inbox";
import { resolveHttpBrokerOptions, type HttpBrokerOptions, type ResolvedHttpBrokerOptions } from "./options";
import { postEnvelope, type Delivery } from "./post";
import { deliverToOne, selectTargets } from "./targets";
import { BROADCAST_VERSION, BROKER_SERVICE, encodeEnvelope } from "./wire";

class HttpSubscription implements Subscription, RedeliveryTarget {
  active = true;

  constructor(
    private readonly broker: HttpBroker,
    readonly topic: string,
    readonly queue: string | undefined,
    readonly record: ServiceRecord,
    private readonly run: BrokerHandler,
    readonly delivery: ResolvedDelivery,
  ) {}

  /** The handler while the subscription is active (a redelivery after unsubscribe is dropped). */
  handler(): BrokerHandler | undefined {
    return this.active ? this.run : undefined;
  }

  unsubscribe(): Promise<void> {
    return this.broker.unsubscribe(this);
  }
}

/**
 * go-micro's default broker: every subscription is registered in the registry as a node of
 * `micro.http.broker` (version = queue, or `ff.http.broadcast`), and `publish` POSTs the
 * message to those nodes' own HTTP servers. Nothing is stored: an at-most-once publish resolves
 * once the subscriber's handler settled; an at-least-once one as soon as the subscriber's inbox
 * accepted it, and the subscriber process retries with backoff, then dead-letters by publishing
 * to the dead-letter topic. A subscriber crash loses the retries in progress.
 */
export class HttpBroker implements Broker, RedeliveryHost {
  readonly name = "http";
  /** Backoff waits of redeliveries in progress, cancelled by `disconnect`. */
  readonly timers = new BackoffTimers();
  /** At-least-once deliveries still running, awaited by `disconnect`. */
  private readonly running = new Set<Promise<void>>();
  /** This broker's id, part of every node id it registers. */
  readonly id = randomUUID();
  private readonly options: ResolvedHttpBrokerOptions;
  private readonly subscriptions = new Map<string, HttpSubscription>(); // by node id
  private lifecycle: Promise<unknown> = Promise.resolve();
  private connected = false;
  private inbox?: Inbox;
  private agent?: DialAgent;
  private heartbeat?: NodeJS.Timeout;
  private bound = "";
  private advertised = "";
  private seq = 0;
  private subscribers?: RegistryCache;

  constructor(options: HttpBrokerOptions) {
    this.options = resolveHttpBrokerOptions(options);
  }

  get address(): string {
    return this.bound || this.options.address;
  }

  connect(): Promise<void> {
    return this.serially(async () => {
      if (this.connected) return;
      const o = this.options;
      const inbox = new Inbox(this.receive, { maxBodyBytes: o.maxBodyBytes, keepAliveTimeoutMs: o.keepAliveTimeoutMs, closeTimeoutMs: o.closeTimeoutMs, logger: o.logger });
      this.bound = await inbox.bind(o.address);
      this.inbox = inbox;
      this.advertised = o.advertise ?? advertisable(this.bound);
      this.agent = new DialAgent({ keepAlive: true, maxSockets: o.maxSocketsPerAddress, timeout: o.idleTimeoutMs, scheduling: "lifo" }, o.dialTimeoutMs);
      this.heartbeat = setInterval(this.renew, o.registerIntervalMs).unref();
      // Subscribers are looked up through a watched cache, not once per publish: a registry
      // query per event (100 ms on mDNS) would cap publishing at a few events a second.
      this.subscribers = new RegistryCache(o.registry, o.registerTtlMs, o.logger);
      this.connected = true;
    });
  }

  /** Deregisters every subscription, lets deliveries in progress finish and closes the server. */
  disconnect(): Promise<void> {
    return this.serially(async () => {
      if (!this.connected) return;
      this.connected = false;
      clearInterval(this.heartbeat);
      await this.subscribers?.close();
      this.subscribers = undefined;
      const subs = [...this.subscriptions.values()];
      this.subscriptions.clear();
      for (const sub of subs) sub.active = false;
      this.timers.cancelAll();
      await Promise.all(subs.map((sub) => this.deregister(sub)));
      await this.inbox?.close();
      await settledWithin([...this.running], this.options.closeTimeoutMs);
      this.agent?.destroy();
      this.inbox = this.agent = undefined;
      this.bound = "";
    });
  }

  get logger(): Logger | undefined {
    return this.options.logger;
  }

  async publish(topic: string, message: BrokerMessage, options?: PublishOptions): Promise<void> {
    const agent = this.agent;
    const subscribers = this.subscribers;
    if (!this.connected || agent === undefined || subscribers === undefined) throw serviceUnavailable("http broker is not connected");
    let services: ServiceRecord[];
    try {
      services = subscribers.peek(BROKER_SERVICE) ?? (await subscribers.get(BROKER_SERVICE));
    } catch (err) {
      throw serviceUnavailable(`http broker: looking up subscribers of ${topic} failed: ${String(err)}`);
    }
    const payload = encodeEnvelope(topic, options?.headers === undefined ? message : { header: { ...message.header, ...options.headers }, body: message.body });
    const send = (node: Node): Promise<Delivery> => this.post(agent, node, payload);
    const failures = (await Promise.all(selectTargets(services, topic).map((candidates) => deliverToOne(candidates, send)))).flat();
    if (failures.length > 0) subscribers.invalidate(BROKER_SERVICE);
    if (failures.length > 0) throw serviceUnavailable(`http broker: ${topic} was not delivered to ${failures.join("; ")}`);
  }

  subscribe(topic: string, handler: BrokerHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    let delivery: ResolvedDelivery;
    try {
      delivery = resolveDelivery(topic, options);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.serially(async () => {
      if (!this.connected) throw serviceUnavailable("http broker is not connected");
      const queue = options.queue || undefined;
      const id = `${topic}-${this.id}-${++this.seq}`;
      const node = { id, address: this.advertised, metadata: { broker: "http", topic, secure: "false" } };
      const record: ServiceRecord = { name: BROKER_SERVICE, version: queue ?? BROADCAST_VERSION, endpoints: [], nodes: [node] };
      const sub = new HttpSubscription(this, topic, queue, record, handler, delivery);
      // Known before it is registered, so a delivery right after registration finds it.
      this.subscriptions.set(id, sub);
      try {
        await this.options.registry.register(record, { ttlMs: this.options.registerTtlMs });
      } catch (err) {
        this.subscriptions.delete(id);
        throw serviceUnavailable(`http broker: registering the subscription to ${topic} failed: ${String(err)}`);
      }
      return sub;
    });
  }

  /** Stops delivery to `sub` and deregisters it; called by the subscription. */
  unsubscribe(sub: HttpSubscription): Promise<void> {
    return this.serially(async () => {
      const id = sub.record.nodes[0]!.id;
      if (this.subscriptions.get(id) !== sub) return;
      this.subscriptions.delete(id);
      sub.active = false;
      await this.deregister(sub);
    });
  }

  private async post(agent: DialAgent, node: Node, payload: Buffer): Promise<Delivery> {
    const timeout = this.options.deliveryTimeoutMs;
    const first = await postEnvelope(agent, node, payload, timeout);
    return first.stale ? postEnvelope(agent, node, payload, timeout) : first;
  }

  private readonly receive = async (id: string, topic: string, message: BrokerMessage): Promise<boolean> => {
    const sub = this.subscriptions.get(id);
    if (sub === undefined || sub.topic !== topic) return false;
    if (sub.delivery.delivery === "at-most-once") {
      await deliverInProcess(this, sub, message);
      return true;
    }
    // Accepted: the publisher is answered now, the retries run here in the background.
    const running = deliverInProcess(this, sub, message).finally(() => this.running.delete(running));
    this.running.add(running);
    return true;
  };

  private readonly renew = (): void => {
    for (const sub of this.subscriptions.values()) {
      this.options.registry.register(sub.record, { ttlMs: this.options.registerTtlMs }).catch((err: unknown) => {
        this.options.logger?.warn("http broker: renewing a subscription failed", { topic: sub.topic, error: String(err) });
      });
    }
  };

  private async deregister(sub: HttpSubscription): Promise<void> {
    try {
      await this.options.registry.deregister(sub.record);
    } catch (err) {
      // Not fatal: the registration expires with its TTL.
      this.options.logger?.warn("http broker: deregistering a subscription failed", { topic: sub.topic, error: String(err) });
    }
  }

  /** Runs lifecycle steps one at a time, so connect, subscribe and disconnect never interleave. */
  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(step, step);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }
}

/** The address to register for a bound one: every-interface binds advertise loopback (safe default). */
function advertisable(bound: string): string {
  const { host, port } = splitHostPort(bound);
  return host === "0.0.0.0" || host === "::" || host === "" ? joinHostPort("127.0.0.1", port) : bound;
}

/** Waits for `work` to settle, at most `ms`: a handler that never settles must not hold a shutdown. */
async function settledWithin(work: Promise<unknown>[], ms: number): Promise<void> {
  if (work.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(work), new Promise<void>((resolve) => (timer = setTimeout(resolve, clampDelay(ms))))]);
  clearTimeout(timer);
}
