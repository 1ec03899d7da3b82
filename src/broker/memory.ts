import { serviceUnavailable } from "../errors";
import type { Logger } from "../logger/logger";
import { Headers } from "../transport/headers";
import type { Broker, BrokerHandler, BrokerMessage, PublishOptions, SubscribeOptions, Subscription } from "./broker";
import { resolveDelivery, type ResolvedDelivery } from "./delivery";
import { BackoffTimers, deliverInProcess, type RedeliveryHost, type RedeliveryTarget } from "./redeliver";

/** Options of the in-process broker. */
export interface MemoryBrokerOptions {
  /** Where handler failures are logged; default: not logged. */
  logger?: Logger;
}

interface Group {
  readonly members: MemorySubscription[];
  next: number;
}

/** The subscribers of one topic: those without a queue, and each queue group with its round-robin cursor. */
interface TopicSubscribers {
  readonly plain: MemorySubscription[];
  readonly groups: Map<string, Group>;
}

class MemorySubscription implements Subscription, RedeliveryTarget {
  active = true;

  constructor(
    private readonly broker: MemoryBroker,
    readonly topic: string,
    readonly queue: string | undefined,
    private readonly run: BrokerHandler,
    readonly delivery: ResolvedDelivery,
  ) {}

  /** This subscription's handler while it is active; once it is gone, another member of its group takes a redelivery. */
  handler(): BrokerHandler | undefined {
    if (this.active) return this.run;
    return this.queue === undefined ? undefined : this.broker.member(this.topic, this.queue)?.run;
  }

  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.broker.remove(this);
  }
}

/**
 * An in-process broker. Subscribers without a queue each get a copy of every message;
 * subscribers sharing a queue name split the messages round-robin. `publish` calls the selected
 * handlers asynchronously and resolves once each one's first attempt has settled; a handler's
 * rejection is logged, never passed to the publisher. At-least-once subscriptions are retried
 * in process with their backoff, then dead-lettered; nothing survives the process.
 */
export class MemoryBroker implements Broker, RedeliveryHost {
  readonly name = "memory";
  readonly address = "";
  /** Backoff waits of redeliveries in progress, cancelled by `disconnect`. */
  readonly timers = new BackoffTimers();
  private connected = false;
  private readonly topics = new Map<string, TopicSubscribers>();

  constructor(private readonly options: MemoryBrokerOptions = {}) {}

  get logger(): Logger | undefined {
    return this.options.logger;
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  /** Disconnects, ends every subscription and drops the redeliveries waiting for their backoff. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    for (const subs of this.topics.values()) {
      for (const sub of subs.plain) sub.active = false;
      for (const group of subs.groups.values()) for (const sub of group.members) sub.active = false;
    }
    this.topics.clear();
    this.timers.cancelAll();
  }

  async publish(topic: string, message: BrokerMessage, options?: PublishOptions): Promise<void> {
    this.assertConnected();
    const subs = this.topics.get(topic);
    if (subs === undefined) return;
    const selected = [...subs.plain];
    for (const group of subs.groups.values()) selected.push(group.members[group.next++ % group.members.length]!);
    const header = { ...message.header, ...options?.headers, [Headers.topic]: topic };
    const body = Buffer.from(message.body);
    await Promise.all(selected.map((sub) => this.deliver(sub, { header, body })));
  }

  async subscribe(topic: string, handler: BrokerHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const delivery = resolveDelivery(topic, options);
    this.assertConnected();
    const sub = new MemorySubscription(this, topic, options.queue || undefined, handler, delivery);
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

  /** The next member of a queue group, round-robin; undefined when the group is empty. */
  member(topic: string, queue: string): MemorySubscription | undefined {
    const group = this.topics.get(topic)?.groups.get(queue);
    return group === undefined ? undefined : group.members[group.next++ % group.members.length];
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

  private async deliver(sub: MemorySubscription, message: BrokerMessage): Promise<void> {
    // Yield first: handlers never run on the publisher's stack, as with a real broker.
    await Promise.resolve();
    if (!sub.active) return;
    await new Promise<void>((firstSettled) => void deliverInProcess(this, sub, message, firstSettled));
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
