import type { Msg, NatsConnection, Subscription as NatsSub } from "nats";
import type { BrokerHandler, Subscription } from "../broker";
import type { ResolvedDelivery } from "../delivery";
import { deliverInProcess, type RedeliveryHost } from "../redeliver";
import { msgHeaders } from "../../internal/nats/headers";
import { restoreWireHeaders } from "./wire";

/**
 * A subscription on core NATS: a plain or queue subscription, handlers started in arrival order
 * without waiting for the previous one. At-most-once failures are logged and dropped; an
 * at-least-once subscription here (a server without JetStream) retries in this process only.
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
    private readonly delivery: ResolvedDelivery,
    private readonly host: RedeliveryHost,
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
    const header = restoreWireHeaders(msgHeaders(msg), msg.subject);
    const message = { header, body: Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength) };
    const target = { topic: msg.subject, queue: this.queue, delivery: this.delivery, handler: () => (this.active ? this.handler : undefined) };
    const run = deliverInProcess(this.host, target, message, undefined, "", true).finally(() => this.inflight.delete(run));
    this.inflight.add(run);
  }

  private failed(err: Error): void {
    this.host.logger?.error("nats broker: subscription failed", { topic: this.topic, queue: this.queue, error: err.message });
  }
}
