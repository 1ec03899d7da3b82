import type { ChannelModel, ConfirmChannel } from "amqplib";
import { serviceUnavailable } from "../../errors";
import type { Broker, BrokerHandler, BrokerLag, BrokerMessage, PublishOptions, SubscribeOptions, Subscription } from "../broker";
import { publishConfirmed } from "./confirm";
import { resolveRabbitMqBrokerOptions, type RabbitMqBrokerOptions, type ResolvedRabbitMqBrokerOptions } from "./options";
import { AmqpSession, describe, redact } from "./session";
import { RabbitMqSubscription, type SubscriptionHost } from "./subscription";
import { checkTopic, publishProperties } from "./wire";

/**
 * A broker on RabbitMQ (amqplib). Events go to a durable topic exchange (routing key = topic,
 * so subscriptions may use `*` and `#`); each subscription reads its own queue (see
 * `planQueue`); publishes resolve on the broker's confirm; a lost connection is re-established
 * with backoff and every exchange, queue and consumer declared again.
 */
export class RabbitMqBroker implements Broker {
  readonly name = "rabbitmq";
  private readonly options: ResolvedRabbitMqBrokerOptions;
  private session: AmqpSession | undefined;
  private starting: Promise<void> | undefined;
  private readonly subscriptions = new Set<RabbitMqSubscription>();
  private readonly host: SubscriptionHost;

  constructor(options: RabbitMqBrokerOptions = {}) {
    this.options = resolveRabbitMqBrokerOptions(options);
    const session = (): AmqpSession | undefined => this.session;
    this.host = {
      options: this.options,
      get session() {
        return session();
      },
      forget: (sub) => this.subscriptions.delete(sub),
    };
  }

  /** The AMQP URL without its password. */
  get address(): string {
    return redact(this.options.url);
  }

  /** Connects and declares the exchanges; fails with a 503 when the broker cannot be reached within `connectTimeoutMs`. */
  async connect(): Promise<void> {
    if (this.session !== undefined) return this.starting;
    const session = new AmqpSession(this.options, (connection, publisher) => this.opened(connection, publisher));
    this.session = session;
    this.starting = session.start().catch((err: unknown) => {
      if (this.session === session) this.session = undefined;
      throw err;
    });
    return this.starting;
  }

  /** Ends every subscription and closes the connection; idempotent. */
  async disconnect(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    this.subscriptions.forEach((sub) => sub.end());
    this.subscriptions.clear();
    await this.starting?.catch(() => undefined);
    await session.stop();
  }

  async publish(topic: string, message: BrokerMessage, options: PublishOptions = {}): Promise<void> {
    const session = this.requireSession();
    checkTopic(topic, false);
    const timeoutMs = options.timeoutMs ?? this.options.publishTimeoutMs;
    const started = Date.now();
    const channel = await session.channel(timeoutMs);
    const header = options.headers === undefined ? message.header : { ...message.header, ...options.headers };
    const properties = publishProperties(topic, { header, body: message.body }, this.options.persistent);
    await publishConfirmed(channel, this.options.exchange, topic, message.body, properties, Math.max(1, timeoutMs - (Date.now() - started)));
  }

  async subscribe(topic: string, handler: BrokerHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const session = this.requireSession();
    const sub = new RabbitMqSubscription(this.host, topic, handler, options);
    // Registered first, so a reconnect while it opens restores it too.
    this.subscriptions.add(sub);
    const connection = session.current;
    if (connection === undefined) return sub;
    try {
      await sub.open(connection);
    } catch (err) {
      // Lost the connection meanwhile: the reconnect opens it. Anything else is the caller's error.
      if (this.session === session && !session.isOpen) return sub;
      this.subscriptions.delete(sub);
      await sub.unsubscribe();
      throw serviceUnavailable(`rabbitmq broker: cannot subscribe to ${JSON.stringify(topic)}: ${describe(err)}`);
    }
    return sub;
  }

  /**
   * The ready messages of each queue this process consumes (`checkQueue`); RabbitMQ does not say
   * how many are delivered but unacknowledged, so up to `prefetch` per consumer are not counted.
   * A subscription that is reopening after a lost connection is left out.
   */
  async lag(): Promise<BrokerLag[]> {
    // Members of one queue group share its queue; a group-less subscriber has a queue of its own.
    const distinct = new Map<unknown, RabbitMqSubscription>();
    for (const sub of this.subscriptions) distinct.set(sub.queue === undefined ? sub : `${sub.topic}\n${sub.queue}`, sub);
    const lags = await Promise.all(
      [...distinct.values()].map(async (sub): Promise<BrokerLag | undefined> => {
        const ready = await sub.ready();
        return ready === undefined ? undefined : { topic: sub.topic, ...(sub.queue === undefined ? {} : { queue: sub.queue }), pending: ready };
      }),
    );
    return lags.filter((l): l is BrokerLag => l !== undefined);
  }

  /** Declares the exchanges and (after a reconnect) reopens every subscription. */
  private async opened(connection: ChannelModel, publisher: ConfirmChannel): Promise<void> {
    const { exchange, deadLetterExchange } = this.options;
    await publisher.assertExchange(exchange, "topic", { durable: true });
    await publisher.assertExchange(deadLetterExchange, "topic", { durable: true });
    // Dead letters reach subscribers of the dead-letter topic like any event, and the parking queues.
    await publisher.bindExchange(exchange, deadLetterExchange, "#");
    for (const sub of [...this.subscriptions]) {
      // One subscription that cannot be restored (its queue redeclared elsewhere with other
      // arguments, say) must not keep the others down; a lost connection fails the whole reopen.
      await sub.open(connection).catch((err: unknown) => this.options.logger?.error("rabbitmq broker: cannot restore a subscription", { topic: sub.topic, queue: sub.queue, error: describe(err) }));
    }
  }

  private requireSession(): AmqpSession {
    if (this.session === undefined) throw serviceUnavailable("rabbitmq broker is not connected");
    return this.session;
  }
}
