import { randomUUID } from "node:crypto";
import type { ChannelModel, Options } from "amqplib";
import type { ResolvedDelivery } from "../delivery";
import type { ResolvedRabbitMqBrokerOptions } from "./options";
import { checkQueueName } from "./wire";

/** How the subscription's queue is declared. */
export interface QueuePlan {
  /** "" lets the server name it (exclusive queues). */
  readonly name: string;
  readonly options: Options.AssertQueue;
  /** The queue belongs to this subscriber alone and goes when it unsubscribes. */
  readonly owned: boolean;
}

/**
 * The queue a subscription reads:
 * - with a queue group: one durable queue per (topic, group), `<exchange>:<topic>:<group>`, shared
 *   by the group's members and kept when they leave, so a restarting group loses nothing;
 * - without one, at-most-once: a server-named exclusive auto-delete queue, gone with the connection;
 * - without one, at-least-once: a durable queue of its own, `<exchange>:<topic>:~<uuid>`. An
 *   exclusive queue would vanish on every connection loss, taking unacknowledged messages and
 *   everything published until the resubscribe with it; a durable one survives a broker
 *   restart. Its name is random (nothing identifies a group-less subscriber across processes),
 *   so it is deleted on unsubscribe and expires (`subscriberQueueExpiresMs`) after a crash.
 */
export function planQueue(options: ResolvedRabbitMqBrokerOptions, topic: string, queue: string | undefined, delivery: ResolvedDelivery): QueuePlan {
  if (queue !== undefined) return { name: checkQueueName(`${options.exchange}:${topic}:${queue}`), options: { durable: true }, owned: false };
  if (delivery.delivery === "at-most-once") return { name: "", options: { exclusive: true, autoDelete: true, durable: false }, owned: true };
  return {
    name: checkQueueName(`${options.exchange}:${topic}:~${randomUUID()}`),
    options: { durable: true, arguments: { "x-expires": options.subscriberQueueExpiresMs } },
    owned: true,
  };
}

/**
 * The retry queue for one backoff delay: `<queue>:retry:<ms>`, with that message TTL and the
 * default exchange plus the subscription's queue as dead-letter target, so each expired copy
 * goes back to that queue alone. One queue per delay, because RabbitMQ expires messages only
 * at a queue's head: a long delay would hold up a short one queued behind it. Copies live in
 * the broker, so a backoff survives a subscriber crash (unlike a timer followed by a nack).
 * Declared before every use (idempotent, and it renews an expiring queue), on a channel of
 * its own: a refused declaration closes the channel it was made on, which must be neither the
 * shared publisher channel (failing every publish in flight) nor the consumer's.
 */
export async function declareRetryQueue(connection: ChannelModel, queue: string, delayMs: number, expiresMs: number | undefined): Promise<string> {
  const name = checkQueueName(`${queue}:retry:${delayMs}`);
  const args: Record<string, unknown> = { "x-message-ttl": delayMs, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue };
  // An owned queue's retry queue expires with it, but never while a copy can still be waiting in it.
  if (expiresMs !== undefined) args["x-expires"] = expiresMs + delayMs;
  const channel = await connection.createChannel();
  channel.on("error", () => undefined); // The refusal is reported by assertQueue's rejection.
  try {
    await channel.assertQueue(name, { durable: true, arguments: args });
  } finally {
    await channel.close().catch(() => undefined);
  }
  return name;
}
