import { MicroError } from "../errors";
import { Headers } from "../transport/headers";
import type { BackoffOptions, DeliveryGuarantee, DeliveryInfo, SubscribeOptions } from "./broker";

/** The defaults every broker applies to a subscription's delivery options. */
export const DELIVERY_DEFAULTS = {
  delivery: "at-most-once" as DeliveryGuarantee,
  maxAttempts: 5,
  backoff: { initialMs: 100, maxMs: 10_000, multiplier: 2 },
  /** Suffix of the default dead-letter topic. */
  deadLetterSuffix: ".dlq",
} as const;

/** A subscription's delivery options with every default filled in. */
export interface ResolvedDelivery {
  readonly delivery: DeliveryGuarantee;
  readonly maxAttempts: number;
  readonly backoff: Required<BackoffOptions>;
  /** The dead-letter topic, or undefined to drop. */
  readonly deadLetter: string | undefined;
}

/** Fills in the delivery defaults for a subscription to `topic`; rejects nonsense early. */
export function resolveDelivery(topic: string, options: SubscribeOptions = {}): ResolvedDelivery {
  const maxAttempts = options.maxAttempts ?? DELIVERY_DEFAULTS.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
  const backoff = { ...DELIVERY_DEFAULTS.backoff, ...options.backoff };
  if (!(backoff.initialMs >= 0 && backoff.maxMs >= backoff.initialMs && backoff.multiplier >= 1)) {
    throw new RangeError(`backoff must have 0 ≤ initialMs ≤ maxMs and multiplier ≥ 1, got ${JSON.stringify(backoff)}`);
  }
  const deadLetter = options.deadLetter === false ? undefined : (options.deadLetter ?? topic + DELIVERY_DEFAULTS.deadLetterSuffix);
  return { delivery: options.delivery ?? DELIVERY_DEFAULTS.delivery, maxAttempts, backoff, deadLetter };
}

/** The delay before redelivering a message whose `attempt`-th delivery failed. */
export function redeliveryDelayMs(attempt: number, backoff: Required<BackoffOptions>): number {
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** Math.max(0, attempt - 1));
}

/**
 * A failure a redelivery cannot fix: the event itself is wrong (a MicroError with status 400,
 * such as a validation failure or an undecodable body). It is dead-lettered at once.
 */
export function isPermanentFailure(err: unknown): boolean {
  return MicroError.is(err) && err.code === 400;
}

/** What to do with a message whose handler failed on delivery `attempt`. */
export function afterFailure(err: unknown, attempt: number, resolved: ResolvedDelivery): "retry" | "dead-letter" | "drop" {
  if (resolved.delivery === "at-most-once") return "drop";
  if (!isPermanentFailure(err) && attempt < resolved.maxAttempts) return "retry";
  return resolved.deadLetter === undefined ? "drop" : "dead-letter";
}

/** Headers a dead-lettered message carries besides its own, so the cause is visible. */
export const DeadLetterHeaders = {
  error: "Micro-Dead-Letter-Error",
  topic: "Micro-Dead-Letter-Topic",
  attempts: "Micro-Dead-Letter-Attempts",
} as const;

/** The headers of a dead-lettered copy of a message that failed `attempts` times on `topic`. */
export function deadLetterHeaders(header: Record<string, string>, topic: string, attempts: number, err: unknown): Record<string, string> {
  const error = MicroError.is(err) ? JSON.stringify(err.toJSON()) : String(err);
  return { ...header, [DeadLetterHeaders.error]: error, [DeadLetterHeaders.topic]: topic, [DeadLetterHeaders.attempts]: String(attempts) };
}

/** The delivery info of a broker that never redelivers: attempt 1, id from the `Micro-Id` header. */
export function firstDelivery(header: Record<string, string>): DeliveryInfo {
  return { attempt: 1, id: header[Headers.id] ?? "", redelivered: false };
}
