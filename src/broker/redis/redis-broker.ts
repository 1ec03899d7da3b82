import { randomUUID } from "node:crypto";
import { ErrorIds, MicroError, serviceUnavailable, timeout } from "../../errors";
import { clampDelay } from "../../internal/timers";
import type { Logger } from "../../logger/logger";
import { Headers } from "../../transport/headers";
import type { Broker, BrokerHandler, BrokerLag, BrokerMessage, PublishOptions, SubscribeOptions, Subscription } from "../broker";
import { resolveDelivery, type ResolvedDelivery } from "../delivery";
import { BackoffTimers } from "../redeliver";
import { openClient, redacted, type RedisClient } from "./client";
import { resolveRedisBrokerOptions, type RedisBrokerOptions, type ResolvedRedisBrokerOptions } from "./options";
import { groupLags } from "./lag";
import { PubSubHub } from "./pubsub";
import { StreamSubscription, type StreamHost } from "./stream-subscription";
import { encodeMessage, KEY_FIELD, MESSAGE_FIELD } from "./wire";

/**
 * A broker on Redis. `publish` appends the message to the topic's stream (`XADD`, trimmed with
 * `MAXLEN ~`) and publishes it on the topic's channel, in one MULTI; it resolves once Redis
 * accepted both. At-most-once subscribers without a queue listen on the channel; everyone else
 * reads the stream through a consumer group: the queue's, or one of the subscriber's own.
 * See docs/broker.md for what survives a Redis or subscriber restart.
 */
export class RedisBroker implements Broker, StreamHost {
  readonly name = "redis";
  readonly options: ResolvedRedisBrokerOptions;
  /** Unused by Redis subscriptions (each has its own); part of the redelivery host shape. */
  readonly timers = new BackoffTimers();
  private readonly consumerBase: string;
  private readonly consumers = new Map<string, number>();
  private readonly streams = new Set<StreamSubscription>();
  private lifecycle: Promise<unknown> = Promise.resolve();
  private cmd?: RedisClient;
  private hub?: PubSubHub;

  constructor(options: RedisBrokerOptions = {}) {
    this.options = resolveRedisBrokerOptions(options);
    this.consumerBase = options.consumer ?? randomUUID();
  }

  get address(): string {
    return redacted(this.options.url);
  }

  get logger(): Logger | undefined {
    return this.options.logger;
  }

  connect(): Promise<void> {
    return this.serially(async () => {
      if (this.cmd !== undefined) return;
      // No offline queue: while Redis is unreachable a publish fails at once instead of waiting.
      this.cmd = await openClient(this.options, "commands", { enableOfflineQueue: false });
      this.hub = new PubSubHub(this, this.options);
    });
  }

  /** Stops every subscription (their own groups are removed; queue groups stay) and closes the connections. */
  disconnect(): Promise<void> {
    return this.serially(async () => {
      const cmd = this.cmd;
      if (cmd === undefined) return;
      await Promise.all([...this.streams].map((s) => s.stop(true)));
      await this.hub?.close();
      this.cmd = this.hub = undefined;
      this.timers.cancelAll();
      await cmd.quit().catch(() => cmd.disconnect());
    });
  }

  async publish(topic: string, message: BrokerMessage, options: PublishOptions = {}): Promise<void> {
    const cmd = this.cmd;
    if (cmd === undefined) throw serviceUnavailable("redis broker is not connected");
    const data = encodeMessage({ header: { ...message.header, ...options.headers, [Headers.topic]: topic }, body: message.body });
    const key = this.options.prefix + topic;
    const trim = this.options.maxLen > 0 ? ["MAXLEN", "~", this.options.maxLen] : [];
    const fields = options.key === undefined ? [MESSAGE_FIELD, data] : [MESSAGE_FIELD, data, KEY_FIELD, options.key];
    const waitMs = clampDelay(options.timeoutMs ?? this.options.publishTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      const sent = cmd
        .multi()
        .xadd(key, ...(trim as ["MAXLEN", "~", number]), "*", ...(fields as [string, Buffer]))
        .publish(key, data)
        .exec();
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timeout(`redis broker: ${topic} was not accepted within ${waitMs} ms`)), waitMs)));
      const results = await Promise.race([sent, late]);
      const failed = results?.find(([err]) => err !== null)?.[0];
      if (results === null || failed) throw failed ?? new Error("the transaction was aborted");
    } catch (err) {
      if (MicroError.is(err)) throw err;
      throw new MicroError(ErrorIds.unavailable, 503, `redis broker: publishing to ${topic} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  subscribe(topic: string, handler: BrokerHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    let delivery: ResolvedDelivery;
    try {
      delivery = resolveDelivery(topic, options);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.serially(async () => {
      const hub = this.hub;
      if (this.cmd === undefined || hub === undefined) throw serviceUnavailable("redis broker is not connected");
      const queue = options.queue || undefined;
      if (queue === undefined && delivery.delivery === "at-most-once") return hub.subscribe(topic, handler, delivery);
      const group = queue ?? `subscriber.${randomUUID()}`;
      const place = { group, consumer: this.consumerName(topic, group), ephemeral: queue === undefined };
      const sub = new StreamSubscription(this, topic, queue, handler, delivery, place);
      try {
        await sub.start();
      } catch (err) {
        await sub.stop(true);
        throw MicroError.is(err) ? err : serviceUnavailable(`redis broker: subscribing to ${topic} failed: ${String(err)}`);
      }
      this.streams.add(sub);
      return sub;
    });
  }

  /** The lag of this process's consumer groups (`XINFO GROUPS`); channel subscriptions have none and are left out. */
  async lag(): Promise<BrokerLag[]> {
    return groupLags(this.commands(), this.streams);
  }

  commands(): RedisClient {
    if (this.cmd === undefined) throw serviceUnavailable("redis broker is not connected");
    return this.cmd;
  }

  forget(sub: StreamSubscription): void {
    this.streams.delete(sub);
  }

  /** The consumer name of a new subscription: stable across restarts when `consumer` was given and subscriptions are made in the same order. */
  private consumerName(topic: string, group: string): string {
    const slot = `${topic}\n${group}`;
    const n = (this.consumers.get(slot) ?? 0) + 1;
    this.consumers.set(slot, n);
    return n === 1 ? this.consumerBase : `${this.consumerBase}.${n}`;
  }

  /** Runs lifecycle steps one at a time, so connect, subscribe and disconnect never interleave. */
  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(step, step);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }
}
