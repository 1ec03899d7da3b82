import type { Msg, NatsConnection, Subscription as NatsSub } from "nats";
import type { Logger } from "../../logger/logger";
import { Headers } from "../../transport/headers";
import type { BrokerHandler, Subscription } from "../broker";
import { firstDelivery } from "../delivery";
import { fromNatsHeaders } from "./headers";

const ack = async (): Promise<void> => undefined;

/**
 * An at-most-once subscription on core NATS: a plain or queue subscription, handlers started in
 * arrival order without waiting for the previous one; a failure is logged and the message dropped.
 */
export class CoreSubscription implements Subscription {
  private readonly sub: NatsSub;
  private readonly inflight = new Set<Promise<void>>();
  private active = true;

  constructor(
    nc: NatsConnection,
    readonly topic: string,
    readonly queue: string | undefined,
    private readonly handler: BrokerHandler,
    private readonly logger: Logger | undefined,
    private readonly onEnd: (sub: CoreSubscription) => void,
  ) {
    this.sub = nc.subscribe(topic, { queue, callback: (err, msg) => (err ? this.failed(err) : this.deliver(msg)) });
  }

  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.sub.unsubscribe();
    this.onEnd(this);
    await Promise.allSettled([...this.inflight]);
  }

  private deliver(msg: Msg): void {
    if (!this.active) return;
    const header = fromNatsHeaders(msg.headers);
    header[Headers.topic] ??= msg.subject;
    const message = { header, body: Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength) };
    const run = Promise.resolve()
      .then(() => this.handler({ topic: msg.subject, message, delivery: firstDelivery(header), ack }))
      .catch((err: unknown) => this.logger?.error("nats broker: handler failed", { topic: msg.subject, queue: this.queue, error: String(err) }))
      .finally(() => this.inflight.delete(run));
    this.inflight.add(run);
  }

  private failed(err: Error): void {
    this.logger?.error("nats broker: subscription failed", { topic: this.topic, queue: this.queue, error: err.message });
  }
}
