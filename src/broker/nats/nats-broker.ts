import { connect, Events, nanos, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type NatsConnection } from "nats";
import { randomUuid } from "../../internal/random";
import { ErrorIds, MicroError, badRequest, payloadTooLarge, serviceUnavailable } from "../../errors";
import { Headers } from "../../transport/headers";
import { ACCEPTED, type Broker, type BrokerHandler, type BrokerLag, type BrokerMessage, type PublishOptions, type SubscribeOptions, type Subscription } from "../broker";
import { resolveDelivery } from "../delivery";
import { BackoffTimers, type RedeliveryHost } from "../redeliver";
import { CorePublisher } from "./core-publisher";
import { CoreSubscription } from "./core-subscription";
import { JetStreamSubscription, type JetStreamDeps } from "./jetstream-subscription";
import { consumerLags } from "./lag";
import { checkSubject, hasWildcard, streamFor } from "./names";
import { toWireHeaders } from "./wire";
import { resolveNatsBrokerOptions, type NatsBrokerOptions, type ResolvedNatsBrokerOptions } from "./options";

/** The live connection and, when the server has it, JetStream. */
interface Link {
  readonly nc: NatsConnection;
  readonly core: CorePublisher;
  readonly js?: JetStreamClient;
  readonly jsm?: JetStreamManager;
}

/**
 * A broker on NATS. At-most-once subscribers use core NATS subscriptions (queue subscriptions
 * for groups); at-least-once subscribers use durable JetStream consumers. With JetStream on,
 * every publish goes into the topic's stream (created when missing) and resolves on its ack.
 */
export class NatsBroker implements Broker {
  readonly name = "nats";
  private readonly options: ResolvedNatsBrokerOptions;
  private link?: Link;
  private connecting?: Promise<Link>;
  private up = true;
  private readonly waitingForUp = new Set<() => void>();
  private readonly streams = new Map<string, Promise<string>>();
  private readonly subscriptions = new Set<Subscription>();
  /** The last topic that passed `checkSubject` on publish. */
  private checkedTopic = "";
  /** The JetStream subscriptions among them, whose consumers `lag()` asks about. */
  private readonly durables = new Set<JetStreamSubscription>();
  /** Backoff waits of in-process redeliveries (core NATS only), cancelled by `disconnect`. */
  private readonly timers = new BackoffTimers();

  constructor(options: NatsBrokerOptions = {}) {
    this.options = resolveNatsBrokerOptions(options);
  }

  get address(): string {
    return this.options.servers.join(",");
  }

  /** True when publishes go through JetStream (connected and enabled). */
  get jetstream(): boolean {
    return this.link?.js !== undefined;
  }

  async connect(): Promise<void> {
    if (this.link) return;
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    this.link = await this.connecting;
  }

  async disconnect(): Promise<void> {
    const link = this.link ?? (await this.connecting?.catch(() => undefined));
    if (!link) return;
    if (this.link !== link) return;
    link.core.handOver();
    this.link = undefined;
    this.timers.cancelAll();
    await Promise.allSettled([...this.subscriptions].map((s) => s.unsubscribe()));
    this.subscriptions.clear();
    this.durables.clear();
    this.streams.clear();
    await link.nc.close().catch(() => undefined);
  }

  publish(topic: string, message: BrokerMessage, options: PublishOptions = {}): Promise<void> {
    if (topic !== this.checkedTopic) {
      try {
        checkSubject(topic, false);
      } catch (err) {
        return Promise.reject(err);
      }
      this.checkedTopic = topic; // most publishers repeat a topic: check it once
    }
    const link = this.link;
    // The common case, connected core NATS, without an async frame: nats.js only queues the bytes.
    if (link !== undefined && this.up && !(link.js && durable(topic))) {
      try {
        link.core.publish(topic, publishHeaders(message.header, options.headers, topic), message.body);
        return ACCEPTED;
      } catch (err) {
        return Promise.reject(publishError(err, topic, this.address));
      }
    }
    return this.publishWaiting(topic, message, options);
  }

  private async publishWaiting(topic: string, message: BrokerMessage, options: PublishOptions): Promise<void> {
    const link = this.connected();
    const deadline = Date.now() + (options.timeoutMs ?? this.options.publishTimeoutMs);
    const header = publishHeaders(message.header, options.headers, topic);
    if (!this.up) await this.untilUp(deadline, topic);
    try {
      if (link.js && durable(topic)) await this.publishDurable(link.js, topic, header, message.body, deadline, true);
      else link.core.publish(topic, header, message.body);
    } catch (err) {
      throw publishError(err, topic, this.address);
    }
  }

  async subscribe(topic: string, handler: BrokerHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    checkSubject(topic, true);
    const link = this.connected();
    // Publishes written before this subscribe reach the server before it, as with nc.publish.
    link.core.handOver();
    const resolved = resolveDelivery(topic, options);
    const queue = options.queue || undefined;
    let sub: Subscription;
    if (resolved.delivery === "at-most-once" || !link.js) {
      if (resolved.delivery === "at-least-once") {
        this.options.logger?.warn("nats broker: no JetStream, so at-least-once redelivers in this process only; a crash loses the message", { topic, queue });
      }
      sub = new CoreSubscription(link.nc, topic, queue, handler, resolved, this.redeliveryHost(), (s) => this.subscriptions.delete(s));
      // The server knows the interest once subscribe resolves, so a publish that follows reaches it.
      await link.nc.flush().catch(() => undefined);
    } else {
      if (!durable(topic) || hasWildcard(topic, this.options.streamTokens)) {
        throw badRequest(`nats broker: at-least-once topic "${topic}" must not start with "$" or "_" nor have wildcards in its first ${this.options.streamTokens} token(s)`);
      }
      const js = await JetStreamSubscription.start(this.jetStreamDeps(link), topic, handler, queue, resolved, options.autoAck ?? true);
      sub = { topic, queue, unsubscribe: () => (this.subscriptions.delete(sub), this.durables.delete(js), js.unsubscribe()) };
      this.durables.add(js);
    }
    this.subscriptions.add(sub);
    return sub;
  }

  /** The lag of this process's JetStream consumers (core NATS subscriptions keep no backlog and are left out). */
  async lag(): Promise<BrokerLag[]> {
    const jsm = this.link?.jsm;
    return jsm === undefined ? [] : consumerLags(jsm, this.durables);
  }

  private async open(): Promise<Link> {
    const o = this.options;
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: o.servers, name: o.name, timeout: o.connectTimeoutMs, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: o.reconnectWaitMs });
    } catch (err) {
      throw serviceUnavailable(`nats broker: cannot connect to ${this.address}: ${(err as Error).message}`, ErrorIds.connection);
    }
    this.up = true;
    void this.watch(nc);
    const wantJs = o.jetstream === "on" || (o.jetstream === "auto" && nc.info?.jetstream === true);
    const core = new CorePublisher(nc);
    if (!wantJs) return { nc, core };
    if (nc.info?.jetstream !== true) {
      await nc.close();
      throw serviceUnavailable(`nats broker: jetstream "on" but the server at ${this.address} runs without JetStream (start it with -js)`);
    }
    return { nc, core, js: nc.jetstream(), jsm: await nc.jetstreamManager() };
  }

  /** Follows the connection's state, so publishes while it is down wait (bounded) instead of queueing blind. */
  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) this.up = false;
      if (s.type === Events.Reconnect) {
        this.up = true;
        // A server restarted without its store has lost the streams: check again on next use.
        this.streams.clear();
        this.waitingForUp.forEach((w) => w());
        this.waitingForUp.clear();
      }
      // Disconnects, reconnects and errors matter to an operator; ping timers and the like do not.
      const level = s.type === Events.Disconnect || s.type === Events.Reconnect || s.type === Events.Error ? "info" : "debug";
      this.options.logger?.[level]("nats broker: connection " + s.type, { data: typeof s.data === "string" ? s.data : undefined });
    }
  }

  private async untilUp(deadline: number, topic: string): Promise<void> {
    if (this.up) return;
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    let wake!: () => void;
    const upAgain = new Promise<boolean>((resolve) => (wake = () => resolve(true)));
    this.waitingForUp.add(wake);
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, left))));
    const ok = await Promise.race([upAgain, late]);
    clearTimeout(timer);
    this.waitingForUp.delete(wake);
    if (!ok) throw serviceUnavailable(`nats broker: publish to "${topic}" failed: not connected to ${this.address} (reconnecting)`, ErrorIds.connection);
  }

  private async publishDurable(js: JetStreamClient, topic: string, header: Record<string, string>, body: Uint8Array, deadline: number, dedupe: boolean): Promise<void> {
    await this.ensureStream(topic);
    const timeout = Math.max(1, deadline - Date.now());
    // Topic plus Micro-Id is JetStream's dedupe id (per stream, for two minutes), so a publisher
    // retrying a publish whose ack was lost stores it once.
    const opts = { headers: toWireHeaders(header, topic), timeout, ...(dedupe ? { msgID: `${topic} ${header[Headers.id]}` } : {}) };
    try {
      await js.publish(topic, body, opts);
    } catch (err) {
      if ((err as { code?: string }).code !== "503" || Date.now() >= deadline) throw err;
      // No stream answered: it was deleted or lost in a restart. Create it again, once.
      this.streams.delete(streamFor(topic, this.options.streamPrefix, this.options.streamTokens).name);
      await this.ensureStream(topic);
      await js.publish(topic, body, { ...opts, timeout: Math.max(1, deadline - Date.now()) });
    }
  }

  private ensureStream(topic: string): Promise<string> {
    const o = this.options;
    const { name, subjects } = streamFor(topic, o.streamPrefix, o.streamTokens);
    let ready = this.streams.get(name);
    if (ready) return ready;
    const jsm = this.connected().jsm!;
    const config = { name, subjects, retention: RetentionPolicy.Limits, storage: o.storage === "file" ? StorageType.File : StorageType.Memory, max_age: nanos(o.streamMaxAgeMs) };
    ready = jsm.streams
      .add(config)
      .catch((err: unknown) => jsm.streams.info(name).catch(() => Promise.reject(err)))
      .then(() => name);
    ready.catch(() => this.streams.delete(name));
    this.streams.set(name, ready);
    return ready;
  }

  private jetStreamDeps(link: Link): JetStreamDeps {
    return {
      js: link.js!,
      jsm: link.jsm!,
      options: this.options,
      logger: this.options.logger,
      ensureStream: (topic) => this.ensureStream(topic),
      deadLetter: (topic, header, body) =>
        this.publishDurable(link.js!, topic, { ...header, [Headers.topic]: topic }, body, Date.now() + this.options.publishTimeoutMs, false),
    };
  }

  private redeliveryHost(): RedeliveryHost {
    return { name: this.name, timers: this.timers, logger: this.options.logger, publish: (topic, message) => this.publish(topic, message) };
  }

  private connected(): Link {
    if (!this.link) throw serviceUnavailable(`nats broker is not connected (${this.address})`);
    return this.link;
  }
}

/**
 * The headers a publish sends: the message's, the call's over them, the topic, and a `Micro-Id`
 * when there is none. The message's own record is reused when it already has both (what
 * `client.publish` hands over), saving a copy per event.
 */
function publishHeaders(header: Record<string, string>, extra: Record<string, string> | undefined, topic: string): Record<string, string> {
  if (extra === undefined && header[Headers.topic] === topic && header[Headers.id]) return header;
  const out: Record<string, string> = { ...header, ...extra, [Headers.topic]: topic };
  out[Headers.id] ||= randomUuid();
  return out;
}

/** Topics JetStream may hold: not system (`$JS…`) or inbox (`_INBOX…`) subjects. */
function durable(topic: string): boolean {
  return !topic.startsWith("$") && !topic.startsWith("_");
}

function publishError(err: unknown, topic: string, address: string): MicroError {
  if (MicroError.is(err)) return err;
  const code = (err as { code?: string }).code;
  const detail = `nats broker: publish to "${topic}" failed (${address}): ${(err as Error).message}`;
  if (code === "MAX_PAYLOAD_EXCEEDED") return payloadTooLarge(detail);
  return serviceUnavailable(detail, code === "TIMEOUT" || code === "503" ? ErrorIds.unavailable : ErrorIds.connection);
}
