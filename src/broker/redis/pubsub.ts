import { serviceUnavailable } from "../../errors";
import type { BrokerHandler, Subscription } from "../broker";
import type { ResolvedDelivery } from "../delivery";
import { deliverInProcess, type RedeliveryHost, type RedeliveryTarget } from "../redeliver";
import { openClient, type RedisClient } from "./client";
import type { ResolvedRedisBrokerOptions } from "./options";
import { decodeMessage } from "./wire";

class PubSubSubscription implements Subscription, RedeliveryTarget {
  readonly queue = undefined;
  active = true;

  constructor(
    private readonly hub: PubSubHub,
    readonly topic: string,
    private readonly run: BrokerHandler,
    readonly delivery: ResolvedDelivery,
  ) {}

  handler(): BrokerHandler | undefined {
    return this.active ? this.run : undefined;
  }

  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    await this.hub.remove(this);
  }
}

interface Channel {
  readonly subs: Set<PubSubSubscription>;
  /** Settles once Redis confirmed the SUBSCRIBE. */
  readonly ready: Promise<void>;
}

/**
 * The at-most-once subscribers without a queue: plain Redis SUBSCRIBE on one shared connection
 * (ioredis subscribes again after a reconnect). Nothing is stored: what is published while the
 * connection is down is not delivered.
 */
export class PubSubHub {
  private opening?: Promise<RedisClient>;
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly host: RedeliveryHost,
    private readonly options: ResolvedRedisBrokerOptions,
  ) {}

  /** Adds a subscriber of `topic`; resolves once messages published from now on reach it. */
  async subscribe(topic: string, handler: BrokerHandler, delivery: ResolvedDelivery): Promise<Subscription> {
    const client = await this.client();
    const name = this.options.prefix + topic;
    const sub = new PubSubSubscription(this, topic, handler, delivery);
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = { subs: new Set(), ready: client.subscribe(name).then(() => undefined) };
      this.channels.set(name, channel);
    }
    channel.subs.add(sub);
    try {
      await channel.ready;
    } catch (err) {
      channel.subs.delete(sub);
      if (this.channels.get(name) === channel) this.channels.delete(name);
      throw serviceUnavailable(`redis broker: subscribing to ${topic} failed: ${String(err)}`);
    }
    return sub;
  }

  /** Removes `sub`, unsubscribing its channel when it was the last one. */
  async remove(sub: PubSubSubscription): Promise<void> {
    const name = this.options.prefix + sub.topic;
    const channel = this.channels.get(name);
    if (channel === undefined || !channel.subs.delete(sub) || channel.subs.size > 0) return;
    this.channels.delete(name);
    const client = await this.opening;
    await client?.unsubscribe(name).catch((err: unknown) => this.options.logger?.warn("redis broker: unsubscribe failed", { topic: sub.topic, error: String(err) }));
  }

  /** Ends every subscription and closes the connection. */
  async close(): Promise<void> {
    for (const channel of this.channels.values()) for (const sub of channel.subs) sub.active = false;
    this.channels.clear();
    const opening = this.opening;
    this.opening = undefined;
    const client = await opening?.catch(() => undefined);
    client?.disconnect();
  }

  private client(): Promise<RedisClient> {
    // No offline queue: a SUBSCRIBE while Redis is unreachable fails at once (ioredis still
    // re-subscribes the existing channels by itself after a reconnect).
    this.opening ??= openClient(this.options, "subscriber", { enableOfflineQueue: false }).then((client) => {
      client.on("messageBuffer", this.dispatch);
      return client;
    });
    this.opening.catch(() => (this.opening = undefined));
    return this.opening;
  }

  private readonly dispatch = (channelName: Buffer, data: Buffer): void => {
    const channel = this.channels.get(channelName.toString());
    if (channel === undefined) return;
    const message = decodeMessage(data);
    if (typeof message === "string") {
      this.options.logger?.warn("redis broker: undecodable message dropped", { channel: channelName.toString(), error: message });
      return;
    }
    for (const sub of channel.subs) void deliverInProcess(this.host, sub, message);
  };
}
