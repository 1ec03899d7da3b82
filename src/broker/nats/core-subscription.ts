import type { Msg, NatsConnection, Subscription as NatsSub } from "nats";
import type { BrokerHandler, Subscription } from "../broker";
import type { ResolvedDelivery } from "../delivery";
import { deliverInProcess, type RedeliveryHost, type RedeliveryTarget } from "../redeliver";
import { msgParts } from "../../internal/nats/headers";
import { hasWildcard } from "./names";
import { restoreWireHeaders } from "./wire";

/**
 * A subscription on core NATS: a plain or queue subscription, handlers started in arrival order
 * without waiting for the previous one. At-most-once failures are logged and dropped; an
 * at-least-once subscription here (a server without JetStream) retries in this process only.
 */
export class CoreSubscription implements Subscription {
  private readonly sub: NatsSub;
  /** Deliveries started and not yet settled; `unsubscribe` waits for them. */
  private inflight = 0;
  private drained?: () => void;
  private active = true;
  /** The target of every message on the subscribed subject itself (a wildcard's subjects get their own). */
  private readonly own: RedeliveryTarget;
  /** No wildcard token: every message's subject is the topic, so nats.js need not decode it. */
  private readonly exact: boolean;

  constructor(
    nc: NatsConnection,
    readonly topic: string,
    readonly queue: string | undefined,
    private readonly handler: BrokerHandler,
    private readonly delivery: ResolvedDelivery,
    private readonly host: RedeliveryHost,
    private readonly onEnd: (sub: CoreSubscription) => void,
  ) {
    this.own = this.target(topic);
    this.exact = !hasWildcard(topic);
    this.sub = nc.subscribe(topic, { queue, callback: (err, msg) => (err ? this.failed(err) : this.deliver(msg)) });
  }

  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.sub.unsubscribe();
    this.onEnd(this);
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
  }

  private deliver(msg: Msg): void {
    if (!this.active) return;
    const message = msgParts(msg);
    const subject = this.exact ? this.topic : msg.subject;
    restoreWireHeaders(message.header, subject);
    const target = subject === this.topic ? this.own : this.target(subject);
    this.inflight++;
    // Deliveries never reject: failures are logged (and retried, at-least-once) inside. An
    // at-most-once delivery ends with its first attempt, so that callback is its end too.
    if (this.delivery.delivery === "at-most-once") void deliverInProcess(this.host, target, message, this.settled, "", true);
    else void deliverInProcess(this.host, target, message, undefined, "", true).finally(this.settled);
  }

  private readonly settled = (): void => {
    if (--this.inflight === 0 && this.drained !== undefined) this.drained();
  };

  private target(subject: string): RedeliveryTarget {
    return { topic: subject, queue: this.queue, delivery: this.delivery, handler: () => (this.active ? this.handler : undefined) };
  }

  private failed(err: Error): void {
    this.host.logger?.error("nats broker: subscription failed", { topic: this.topic, queue: this.queue, error: err.message });
  }
}
