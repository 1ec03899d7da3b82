import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import { clampDelay } from "../../internal/timers";
import type { BrokerEvent, BrokerHandler, BrokerMessage, SubscribeOptions, Subscription } from "../broker";
import { DELIVERY_DEFAULTS, afterFailure, deadLetterHeaders, redeliveryDelayMs, resolveDelivery, type ResolvedDelivery } from "../delivery";
import { publishConfirmed } from "./confirm";
import type { ResolvedRabbitMqBrokerOptions } from "./options";
import { describe, type AmqpSession } from "./session";
import { declareRetryQueue, planQueue, type QueuePlan } from "./queues";
import { checkQueueName, checkTopic, decode, publishProperties } from "./wire";

/** What a subscription needs from its broker. */
export interface SubscriptionHost {
  readonly options: ResolvedRabbitMqBrokerOptions;
  /** The broker's live session (undefined once disconnected). */
  readonly session: AmqpSession | undefined;
  /** Called once the subscription has ended. */
  forget(sub: RabbitMqSubscription): void;
}

/** A delivered message waiting for a free handler slot. */
interface Pending {
  readonly channel: Channel;
  readonly msg: ConsumeMessage;
}

/**
 * One subscription: its own channel (so its prefetch and any channel error stay its own), its
 * queue bound to the exchange, manual acks. At-most-once acks a message as its handler starts;
 * at-least-once acks after the handler resolves, and on a failure publishes a copy to a retry
 * queue (see {@link declareRetryQueue}) or to the dead-letter exchange, acking the
 * original only once the broker confirmed the copy.
 */
export class RabbitMqSubscription implements Subscription {
  readonly queue: string | undefined;
  private active = true;
  private channel: Channel | undefined;
  private queueName = "";
  private readonly plan: QueuePlan;
  private readonly delivery: ResolvedDelivery;
  private readonly retryQueues = new Set<string>();
  private pending: Pending[] = [];
  private running = 0;

  constructor(
    private readonly host: SubscriptionHost,
    readonly topic: string,
    private readonly handler: BrokerHandler,
    private readonly subscribeOptions: SubscribeOptions,
  ) {
    checkTopic(topic, true);
    if (typeof subscribeOptions.deadLetter === "string") checkTopic(subscribeOptions.deadLetter, false);
    this.queue = subscribeOptions.queue || undefined;
    this.delivery = resolveDelivery(topic, subscribeOptions);
    this.plan = planQueue(host.options, topic, this.queue, this.delivery);
  }

  private get log() {
    return this.host.options.logger;
  }

  /** Messages ready in this subscription's queue (delivered but unacked ones not counted); undefined while it has no channel. */
  async ready(): Promise<number | undefined> {
    const channel = this.channel;
    if (channel === undefined || this.queueName === "") return undefined;
    return (await channel.checkQueue(this.queueName)).messageCount;
  }

  /** Declares the queue, binds it and starts consuming on `connection` (again after a reconnect). */
  async open(connection: ChannelModel): Promise<void> {
    if (!this.active) return;
    const { exchange, deadLetterExchange, prefetch } = this.host.options;
    const old = this.channel;
    this.channel = undefined;
    await old?.close().catch(() => undefined);
    const channel = await connection.createChannel();
    channel.on("error", (err: unknown) => this.log?.warn("rabbitmq broker: subscription channel error", { topic: this.topic, error: describe(err) }));
    channel.on("close", () => {
      if (this.channel === channel) this.channel = undefined;
      // Their acks would go nowhere: the broker gives them out again.
      this.pending = this.pending.filter((p) => p.channel !== channel);
    });
    try {
      await channel.prefetch(prefetch);
      const { queue } = await channel.assertQueue(this.plan.name, this.plan.options);
      await channel.bindQueue(queue, exchange, this.topic);
      if (this.delivery.delivery === "at-least-once" && this.delivery.deadLetter !== undefined) {
        // A parking queue keeps dead letters when nobody subscribes to the dead-letter topic.
        const parking = checkQueueName(`${deadLetterExchange}:${this.delivery.deadLetter}`);
        await channel.assertQueue(parking, { durable: true });
        await channel.bindQueue(parking, deadLetterExchange, this.delivery.deadLetter);
      }
      this.queueName = queue;
      if (!this.active) throw new Error("unsubscribed while opening");
      this.channel = channel;
      await channel.consume(queue, (msg) => this.onMessage(channel, msg), { noAck: false });
    } catch (err) {
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw err;
    }
  }

  /** Stops consuming; an owned durable queue and its retry queues are deleted. Idempotent. */
  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.host.forget(this);
    const channel = this.channel;
    this.channel = undefined;
    this.pending = [];
    if (channel === undefined) return;
    try {
      if (this.plan.owned && this.plan.name !== "") {
        for (const q of [this.queueName, ...this.retryQueues]) await channel.deleteQueue(q);
      }
      await channel.close();
    } catch (err) {
      this.log?.debug("rabbitmq broker: unsubscribe cleanup failed", { topic: this.topic, error: describe(err) });
    }
  }

  /** Ends the subscription without touching the broker (the connection is closing). */
  end(): void {
    this.active = false;
    this.channel = undefined;
    this.pending = [];
  }

  private onMessage(channel: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (its queue was deleted): declare it again.
      this.log?.warn("rabbitmq broker: consumer cancelled by the broker; resubscribing", { topic: this.topic, queue: this.queueName });
      const connection = this.host.session?.current;
      if (this.active && connection !== undefined) {
        this.open(connection).catch((err: unknown) => this.log?.error("rabbitmq broker: resubscribe failed", { topic: this.topic, error: describe(err) }));
      }
      return;
    }
    this.pending.push({ channel, msg });
    this.pump();
  }

  /** Runs pending messages while fewer than `prefetch` handlers run (at-most-once acks early, so the broker alone would not bound them). */
  private pump(): void {
    while (this.running < this.host.options.prefetch && this.pending.length > 0) {
      const next = this.pending.shift()!;
      this.running++;
      void this.process(next).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async process({ channel, msg }: Pending): Promise<void> {
    const { topic, message, attempt } = decode(msg);
    let acked = false;
    const ack = async (): Promise<void> => {
      if (acked) return;
      acked = true;
      try {
        channel.ack(msg);
      } catch {
        // The channel closed: the broker redelivers the message, which at-least-once allows.
      }
    };
    const atMostOnce = this.delivery.delivery === "at-most-once";
    if (atMostOnce) await ack();
    const event: BrokerEvent = {
      topic,
      message,
      delivery: { attempt, id: message.header["Micro-Id"] ?? "", redelivered: msg.fields.redelivered || attempt > 1 },
      ack,
    };
    try {
      await this.handler(event);
      if (this.subscribeOptions.autoAck !== false) await ack();
    } catch (err) {
      this.log?.error("rabbitmq broker: handler failed", { topic, queue: this.queue, attempt, error: describe(err) });
      if (acked) return;
      await this.afterFailure(channel, msg, topic, message, attempt, err, ack);
    }
  }

  private async afterFailure(
    channel: Channel,
    msg: ConsumeMessage,
    topic: string,
    message: BrokerMessage,
    attempt: number,
    err: unknown,
    ack: () => Promise<void>,
  ): Promise<void> {
    const action = afterFailure(err, attempt, this.delivery);
    const session = this.host.session;
    if (action === "drop" || session === undefined) return ack();
    const { persistent, publishTimeoutMs, deadLetterExchange } = this.host.options;
    const delayMs = redeliveryDelayMs(attempt, this.delivery.backoff);
    try {
      const publisher = await session.channel(publishTimeoutMs);
      if (action === "retry") {
        const connection = session.current;
        if (connection === undefined) throw new Error("not connected");
        const queue = await declareRetryQueue(connection, this.queueName, delayMs, this.plan.owned ? this.host.options.subscriberQueueExpiresMs : undefined);
        this.retryQueues.add(queue);
        await publishConfirmed(publisher, "", queue, msg.content, publishProperties(topic, message, persistent, attempt + 1), publishTimeoutMs);
      } else {
        // A wildcard subscription's dead letters go to the topic each message had, not the pattern's.
        const target = typeof this.subscribeOptions.deadLetter === "string" ? this.subscribeOptions.deadLetter : topic + DELIVERY_DEFAULTS.deadLetterSuffix;
        const dead = { header: deadLetterHeaders(message.header, topic, attempt, err), body: msg.content };
        await publishConfirmed(publisher, deadLetterExchange, target, msg.content, publishProperties(target, dead, persistent), publishTimeoutMs);
        this.log?.warn("rabbitmq broker: message dead-lettered", { topic, deadLetter: target, attempts: attempt });
      }
      await ack();
    } catch (failure) {
      // The copy may not exist: hand the original back to the queue instead of acking it, after
      // the backoff delay, so a retry path that keeps failing does not spin the message.
      this.log?.error("rabbitmq broker: cannot schedule redelivery; requeueing after the backoff", { topic, delayMs, error: describe(failure) });
      await new Promise<void>((resolve) => setTimeout(resolve, clampDelay(delayMs)).unref());
      try {
        channel.nack(msg, false, true);
      } catch {
        // The channel closed: the broker redelivers it anyway.
      }
    }
  }
}
