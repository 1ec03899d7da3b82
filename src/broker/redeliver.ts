import { SETTLED } from "../internal/settled";
import { clampDelay } from "../internal/timers";
import type { Logger } from "../logger/logger";
import type { BrokerHandler, BrokerMessage, DeliveryInfo } from "./broker";
import { Headers } from "../transport/headers";
import { afterFailure, deadLetterHeaders, firstDelivery, redeliveryDelayMs, type ResolvedDelivery } from "./delivery";

/** Pending backoff timers of one broker, cancelled together when it disconnects. */
export class BackoffTimers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  /** Resolves true after `ms`, or false once `cancelAll` ran first. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, clampDelay(ms));
      this.pending.set(timer, () => resolve(false));
    });
  }

  /** Cancels every pending wait; their messages are not redelivered. */
  cancelAll(): void {
    for (const [timer, cancel] of this.pending) {
      clearTimeout(timer);
      cancel();
    }
    this.pending.clear();
  }
}

/** What an in-process redelivery loop needs from its broker. */
export interface RedeliveryTarget {
  readonly topic: string;
  readonly queue?: string;
  readonly delivery: ResolvedDelivery;
  /** The handler to run for an attempt, or undefined once nobody is left to deliver to. */
  handler(): BrokerHandler | undefined;
}

/** The broker side of an in-process redelivery loop. */
export interface RedeliveryHost {
  /** The broker's name, for log lines. */
  readonly name: string;
  readonly timers: BackoffTimers;
  readonly logger?: Logger;
  /** Publishes a dead-lettered copy. */
  publish(topic: string, message: BrokerMessage): Promise<void>;
}

const ack = async (): Promise<void> => undefined;

/**
 * Delivers `message` to `target` in this process, applying the subscription's delivery: a
 * failed at-least-once attempt is retried after its backoff, then dead-lettered (at once for a
 * permanent failure); at-most-once failures are logged and dropped. `firstSettled` is called
 * when the first attempt settled, so a caller can acknowledge the publisher then. Nothing is
 * stored: a process crash loses the retries in progress. `backendId` is the delivery id when the
 * message has no `Micro-Id`. `exclusive` says no other subscriber holds `message`: an
 * at-most-once delivery then hands it over without a copy, since no redelivery can see a mutation.
 */
export function deliverInProcess(host: RedeliveryHost, target: RedeliveryTarget, message: BrokerMessage, firstSettled?: () => void, backendId = "", exclusive = false): Promise<void> {
  if (exclusive && target.delivery.delivery === "at-most-once") return deliverOnce(host, target, message, firstSettled, backendId);
  return deliverWithRetries(host, target, message, firstSettled, backendId);
}

/**
 * One at-most-once delivery of a message nobody else holds: no loop, no copy, no async frame
 * (the per-event path of a core NATS subscriber). A failure is logged and dropped.
 */
function deliverOnce(host: RedeliveryHost, target: RedeliveryTarget, message: BrokerMessage, firstSettled: (() => void) | undefined, backendId: string): Promise<void> {
  const handler = target.handler();
  if (handler === undefined) {
    firstSettled?.();
    return SETTLED;
  }
  const id = message.header[Headers.id] ?? "";
  const delivery: DeliveryInfo = { attempt: 1, id: id === "" ? backendId : id, redelivered: false };
  let run: Promise<void>;
  try {
    run = handler({ topic: target.topic, message, delivery, ack });
  } catch (err) {
    run = Promise.reject(err);
  }
  return run.then(
    () => firstSettled?.(),
    (err: unknown) => {
      host.logger?.error(`${host.name} broker: handler failed`, { topic: target.topic, queue: target.queue, attempt: 1, next: "drop", error: String(err) });
      firstSettled?.();
    },
  );
}

async function deliverWithRetries(host: RedeliveryHost, target: RedeliveryTarget, message: BrokerMessage, firstSettled: (() => void) | undefined, backendId: string): Promise<void> {
  const head = firstDelivery(message.header);
  const first = head.id === "" ? { ...head, id: backendId } : head;
  let settled = false;
  const settle = (): void => {
    if (settled) return;
    settled = true;
    firstSettled?.();
  };
  try {
    for (let attempt = 1; ; attempt++) {
      const handler = target.handler();
      if (handler === undefined) return;
      // Each attempt gets its own copy, so a handler's mutation cannot leak into a redelivery.
      const copy = { header: { ...message.header }, body: Buffer.from(message.body) };
      try {
        await handler({ topic: target.topic, message: copy, delivery: { ...first, attempt, redelivered: attempt > 1 }, ack });
        return;
      } catch (err) {
        const next = afterFailure(err, attempt, target.delivery);
        host.logger?.error(`${host.name} broker: handler failed`, { topic: target.topic, queue: target.queue, attempt, next, error: String(err) });
        if (next === "retry") {
          settle();
          if (target.handler() !== undefined && (await host.timers.wait(redeliveryDelayMs(attempt, target.delivery.backoff)))) continue;
          return;
        }
        if (next === "dead-letter") await deadLetter(host, target, message, attempt, err);
        return;
      }
    }
  } finally {
    settle();
  }
}

async function deadLetter(host: RedeliveryHost, target: RedeliveryTarget, message: BrokerMessage, attempts: number, err: unknown): Promise<void> {
  const dlq = target.delivery.deadLetter!;
  try {
    await host.publish(dlq, { header: deadLetterHeaders(message.header, target.topic, attempts, err), body: message.body });
  } catch (publishErr) {
    host.logger?.error(`${host.name} broker: dead-lettering failed; the message is lost`, { topic: target.topic, deadLetter: dlq, error: String(publishErr) });
  }
}
