import type { Broker, BrokerMessage, PublishOptions } from "../broker/broker";
import { ErrorIds, MicroError, timeout } from "../errors";
import { DeadlineQueue } from "../internal/deadlines";
import { clampDelay } from "../internal/timers";

/** The publish deadlines of this process, on one timer (see DeadlineQueue). */
const deadlines = new DeadlineQueue();

/**
 * Hands `message` to the broker and waits at most `timeoutMs` for it to be accepted: a broker
 * that is down or hangs fails the publish with a 408 instead of holding the caller. Every
 * failure is a MicroError (a broker's own MicroError as it is, anything else a 503 keeping the
 * cause).
 */
export function publishWithin(broker: Broker, topic: string, message: BrokerMessage, options: PublishOptions, timeoutMs: number): Promise<void> {
  const budget = clampDelay(timeoutMs);
  return new Promise<void>((resolve, reject) => {
    const deadline = deadlines.add(budget, () => reject(timeout(`publishing to ${topic} was not accepted by the ${broker.name} broker within ${budget} ms`)));
    const failed = (err: unknown): void => {
      deadlines.settle(deadline);
      reject(publishError(err, topic, broker.name));
    };
    let accepted: Promise<void>;
    try {
      accepted = broker.publish(topic, message, options);
    } catch (err) {
      return failed(err);
    }
    accepted.then(() => {
      deadlines.settle(deadline);
      resolve();
    }, failed);
  });
}

function publishError(err: unknown, topic: string, broker: string): MicroError {
  if (MicroError.is(err)) return err;
  const detail = `publishing to ${topic} through the ${broker} broker failed: ${err instanceof Error ? err.message : String(err)}`;
  return new MicroError(ErrorIds.unavailable, 503, detail, { cause: err });
}
