import { AckPolicy, DeliverPolicy, nanos, nuid, type ConsumerConfig, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from "nats";
import type { Logger } from "../../logger/logger";
import { Headers } from "../../transport/headers";
import type { BrokerHandler, Subscription } from "../broker";
import { afterFailure, deadLetterHeaders, redeliveryDelayMs, type ResolvedDelivery } from "../delivery";
import { fromNatsHeaders } from "../../internal/nats/headers";
import { restoreWireHeaders } from "./wire";
import { durableName } from "./names";
import type { ResolvedNatsBrokerOptions } from "./options";

/** What a JetStream subscription needs from its broker. */
export interface JetStreamDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly options: ResolvedNatsBrokerOptions;
  /** Creates (once) the stream holding `topic` and gives its name. */
  ensureStream(topic: string): Promise<string>;
  /** Publishes a dead-lettered copy; rejects when the broker did not accept it. */
  deadLetter(topic: string, header: Record<string, string>, body: Uint8Array): Promise<void>;
  readonly logger?: Logger;
}

/** Why a message that was delivered more often than allowed (its handler crashed or timed out) is dead-lettered. */
const EXHAUSTED = "delivery attempts exhausted: the subscriber crashed or did not acknowledge within the ack wait";

/**
 * An at-least-once subscription: a durable JetStream pull consumer per queue group (or one of
 * its own, removed after it goes idle, for a group-less subscriber), explicit acks after the
 * handler resolves, a nak with the backoff delay after it rejects, a dead-letter republish
 * once the attempts are used up.
 */
export class JetStreamSubscription implements Subscription {
  private messages?: ConsumerMessages;
  private active = true;
  private loop?: Promise<void>;

  private constructor(
    private readonly deps: JetStreamDeps,
    readonly topic: string,
    readonly queue: string | undefined,
    private readonly handler: BrokerHandler,
    private readonly resolved: ResolvedDelivery,
    private readonly autoAck: boolean,
    /** The JetStream stream and durable consumer this subscription reads. */
    readonly stream: string,
    readonly durable: string,
  ) {}

  /** Creates the stream and consumer if missing and starts consuming. */
  static async start(deps: JetStreamDeps, topic: string, handler: BrokerHandler, queue: string | undefined, resolved: ResolvedDelivery, autoAck: boolean): Promise<JetStreamSubscription> {
    const stream = await deps.ensureStream(topic);
    const o = deps.options;
    const durable = queue === undefined ? `${durableName(topic, "sub")}_${nuid.next()}` : durableName(topic, queue);
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      filter_subject: topic,
      // One delivery more than allowed, so a message whose last attempt crashed still reaches us and is dead-lettered.
      max_deliver: resolved.maxAttempts + 1,
      ack_wait: nanos(o.ackWaitMs),
      max_ack_pending: Math.max(o.prefetch * 4, 1000),
    };
    if (queue === undefined) config.inactive_threshold = nanos(o.inactiveConsumerMs);
    await deps.jsm.consumers.add(stream, config).catch(async (err: unknown) => {
      // Another member of the group created it first (perhaps with other settings): join it.
      await deps.jsm.consumers.info(stream, durable).catch(() => {
        throw err;
      });
    });
    const sub = new JetStreamSubscription(deps, topic, queue, handler, resolved, autoAck, stream, durable);
    await sub.consume();
    sub.loop = sub.run();
    return sub;
  }

  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    // stop(), not close(): close() resolves only once the loop reads the iterator's end, and the
    // loop leaves as soon as its current handler settles. Messages it held unacked are redelivered.
    this.messages?.stop();
    // A handler that never settles must not hold up a shutdown: its message is redelivered anyway.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, this.deps.options.ackWaitMs)))]);
    clearTimeout(timer);
    // A queue group's consumer is durable on purpose; a lone subscriber's own consumer goes with it.
    if (this.queue === undefined) await this.deps.jsm.consumers.delete(this.stream, this.durable).catch(() => undefined);
  }

  private async consume(): Promise<void> {
    const consumer = await this.deps.js.consumers.get(this.stream, this.durable);
    this.messages = await consumer.consume({ max_messages: this.deps.options.prefetch });
  }

  private async run(): Promise<void> {
    while (this.active) {
      try {
        for await (const m of this.messages!) {
          await this.handle(m);
          if (!this.active) break;
        }
      } catch (err) {
        this.deps.logger?.warn("nats broker: consumer interrupted", { topic: this.topic, queue: this.queue, error: String(err) });
      }
      if (!this.active) return;
      // The iterator ended without us asking (the consumer vanished, the server restarted): start again.
      await new Promise((resolve) => setTimeout(resolve, this.deps.options.reconnectWaitMs));
      await this.consume().catch((err: unknown) => this.deps.logger?.warn("nats broker: cannot resume consumer", { topic: this.topic, error: String(err) }));
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const header = restoreWireHeaders(fromNatsHeaders(m.headers), m.subject);
    const attempt = m.info.redeliveryCount;
    const id = header[Headers.id] ?? `${this.stream}:${m.seq}`;
    if (attempt > this.resolved.maxAttempts) return this.fail(m, header, attempt - 1, new Error(EXHAUSTED), "dead-letter");
    let acked = false;
    const ack = async (): Promise<void> => {
      if (acked) return;
      acked = true;
      m.ack();
    };
    // A long handler keeps its message: tell JetStream it is still being worked on.
    const keepAlive = setInterval(() => m.working(), Math.max(100, this.deps.options.ackWaitMs / 2));
    try {
      const message = { header, body: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength) };
      await this.handler({ topic: m.subject, message, delivery: { attempt, id, redelivered: attempt > 1 }, ack });
      if (this.autoAck) await ack();
    } catch (err) {
      if (!acked) await this.fail(m, header, attempt, err, afterFailure(err, attempt, this.resolved));
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async fail(m: JsMsg, header: Record<string, string>, attempt: number, err: unknown, decision: "retry" | "dead-letter" | "drop"): Promise<void> {
    this.deps.logger?.error("nats broker: handler failed", { topic: this.topic, queue: this.queue, attempt, decision, error: String(err) });
    if (decision === "retry") return m.nak(redeliveryDelayMs(attempt, this.resolved.backoff));
    if (decision === "dead-letter" && this.resolved.deadLetter !== undefined) {
      try {
        await this.deps.deadLetter(this.resolved.deadLetter, deadLetterHeaders(header, this.topic, attempt, err), m.data);
      } catch (dlqErr) {
        // Not accepted by the dead-letter stream: keep the message rather than lose it.
        this.deps.logger?.error("nats broker: dead-letter publish failed", { topic: this.topic, error: String(dlqErr) });
        return m.nak(redeliveryDelayMs(attempt, this.resolved.backoff));
      }
    }
    m.term();
  }
}
