import { serviceUnavailable } from "../errors";
import type { Logger } from "../logger/logger";
import { Headers } from "../transport/headers";
import type { Broker, BrokerHandler, BrokerMessage, PublishOptions, SubscribeOptions, Subscription } from "./broker";
import { firstDelivery } from "./delivery";

/** Options of the in-process broker. */
export interface MemoryBrokerOptions {
  /** Where handler failures are logged; default: not logged. */
  logger?: Logger;
}

/** The subscribers of one topic: those without a queue, and each queue group with its round-robin cursor. */
interface TopicSubscribers {
  readonly plain: MemorySubscription[];
  readonly groups: Map<string, { readonly members: MemorySubscription[]; next: number }>;
}

class MemorySubscription implements Subscription {
  active = true;

  constructor(
    private readonly broker: MemoryBroker,
    readonly topic: string,
    readonly queue: string | undefined,
    readonly handler: BrokerHandler,
  ) {}

  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.broker.remove(this);
  }
}

const ack = async (): Promise<void> => undefined;

/**
 * An in-process broker. Subscribers without a queue each get a copy of every message;
 * subscribers sharing a queue name split the messages round-robin. `publish` calls the selected
 * handlers asynchronously and resolves once every one of them has settled; a handler's
 * rejection is logged, never passed to the publisher.
 */
export class MemoryBroker implements Broker {
  readonly name = "memory";
  readonly address = "";
  private connected = false;
  private readonly topics = new Map<string, TopicSubscribers>();

  constructor(private readonly options: MemoryBrokerOptions = {}) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  /** Disconnects and ends every subscription. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    for (const subs of this.topics.values()) {
      for (const sub of subs.plain) sub.active = false;
      for (const group of subs.groups.values()) for (const sub of group.members) sub.active = false;
    }
    this.topics.clear();
  }

  async publish(topic: string, message: BrokerMessage, _options?: PublishOptions): Promise<void> {
    this.assertConnected();
    const subs = this.topics.get(topic);
    if (subs === undefined) return;
    const selected = [...subs.plain];
    for (const group of subs.groups.values()) selected.push(group.members[group.next++ % group.members.length]!);
    const header = { ...message.header, [Headers.topic]: topic };
    await Promise.all(selected.map((sub) => this.deliver(sub, header, message.body)));
  }

  async subscribe(topic: string, handler: BrokerHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    this.assertConnected();
    const sub = new MemorySubscription(this, topic, options.queue || undefined, handler);
    let subs = this.topics.get(topic);
    if (subs === undefined) this.topics.set(topic, (subs = { plain: [], groups: new Map() }));
    if (sub.queue === undefined) {
      subs.plain.push(sub);
    } else {
      const group = subs.groups.get(sub.queue);
      if (group === undefined) subs.groups.set(sub.queue, { members: [sub], next: 0 });
      else group.members.push(sub);
    }
    return sub;
  }

  /** Removes an unsubscribed subscription; called by the subscription. */
  remove(sub: MemorySubscription): void {
    const subs = this.topics.get(sub.topic);
    if (subs === undefined) return;
    if (sub.queue === undefined) {
      without(subs.plain, sub);
    } else {
      const group = subs.groups.get(sub.queue);
      if (group !== undefined && without(group.members, sub).length === 0) subs.groups.delete(sub.queue);
    }
    if (subs.plain.length === 0 && subs.groups.size === 0) this.topics.delete(sub.topic);
  }

  private async deliver(sub: MemorySubscription, header: Record<string, string>, body: Buffer): Promise<void> {
    // Yield first: handlers never run on the publisher's stack, as with a real broker.
    await Promise.resolve();
    if (!sub.active) return;
    // Each subscriber gets its own copy, so one handler's mutation cannot leak into another's.
    const message = { header: { ...header }, body: Buffer.from(body) };
    try {
      await sub.handler({ topic: sub.topic, message, delivery: firstDelivery(header), ack });
    } catch (err) {
      this.options.logger?.error("memory broker: handler failed", { topic: sub.topic, queue: sub.queue, error: String(err) });
    }
  }

  private assertConnected(): void {
    if (!this.connected) throw serviceUnavailable("memory broker is not connected");
  }
}

function without<T>(list: T[], item: T): T[] {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
  return list;
}
