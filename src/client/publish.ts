import { ACCEPTED, type Broker, type BrokerMessage, type PublishOptions } from "../broker/broker";
import { ErrorIds, MicroError, timeout } from "../errors";
import { DeadlineQueue } from "../internal/deadlines";
import { clampDelay } from "../internal/timers";

/** The publish deadlines of this process, on one timer (see DeadlineQueue). */
const deadlines = new DeadlineQueue();

/**
 * Hands `message` to the broker and waits at most `timeoutMs` for it to be accepted: a broker
 * that is down or hangs fails the publish with a 408 instead of holding the caller. Every
 * failure is a MicroError (a broker's own MicroError as it is, anything else a 503 keeping the
 * cause). A broker that accepted before returning (`ACCEPTED`) costs no deadline and no promise.
 */
export function publishWithin(broker: Broker, topic: string, message: BrokerMessage, options: PublishOptions, timeoutMs: number): Promise<void> {
  let accepted: Promise<void>;
  try {
    accepted = broker.publish(topic, message, options);
  } catch (err) {
    return Promise.reject(publishError(err, topic, broker.name));
  }
  if (accepted === ACCEPTED) return ACCEPTED;
  // The deadline starts once publish returns: nothing could have interrupted its synchronous part.
  const budget = clampDelay(timeoutMs);
  return new Promise<void>((resolve, reject) => {
    const deadline = deadlines.add(budget, () => reject(timeout(`publishing to ${topic} was not accepted by the ${broker.name} broker within ${budget} ms`)));
    accepted.then(
      () => {
        deadlines.settle(deadline);
        resolve();
      },
      (err: unknown) => {
        deadlines.settle(deadline);
        reject(publishError(err, topic, broker.name));
      },
    );
  });
}

function publishError(err: unknown, topic: string, broker: string): MicroError {
  if (MicroError.is(err)) return err;
  const detail = `publishing to ${topic} through the ${broker} broker failed: ${err instanceof Error ? err.message : String(err)}`;
  return new MicroError(ErrorIds.unavailable, 503, detail, { cause: err });
}
