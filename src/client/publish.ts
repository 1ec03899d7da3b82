import type { Broker, BrokerMessage, PublishOptions } from "../broker/broker";
import { ErrorIds, MicroError, timeout } from "../errors";
import { clampDelay } from "../internal/timers";

/**
 * Hands `message` to the broker and waits at most `timeoutMs` for it to be accepted: a broker
 * that is down or hangs fails the publish with a 408 instead of holding the caller. Every
 * failure is a MicroError (a broker's own MicroError as it is, anything else a 503 keeping the
 * cause).
 */
export async function publishWithin(broker: Broker, topic: string, message: BrokerMessage, options: PublishOptions, timeoutMs: number): Promise<void> {
  const budget = clampDelay(timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout(`publishing to ${topic} was not accepted by the ${broker.name} broker within ${budget} ms`)), budget);
  });
  try {
    await Promise.race([broker.publish(topic, message, options), expired]);
  } catch (err) {
    if (MicroError.is(err)) throw err;
    const detail = `publishing to ${topic} through the ${broker.name} broker failed: ${err instanceof Error ? err.message : String(err)}`;
    throw new MicroError(ErrorIds.unavailable, 503, detail, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
