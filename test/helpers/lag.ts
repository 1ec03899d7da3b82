import type { Broker, BrokerLag } from "../../src/broker/broker";
import { waitFor } from "./wait";

/** Resolves once `broker.lag()` reports `pending` for `topic`/`queue`; throws with the last report after the timeout. */
export async function lagReaches(broker: Broker, topic: string, queue: string | undefined, pending: number, timeoutMs = 10_000): Promise<BrokerLag[]> {
  let last: BrokerLag[] = [];
  try {
    return await waitFor(async () => {
      last = (await broker.lag?.()) ?? [];
      const row = last.find((l) => l.topic === topic && l.queue === queue);
      return row?.pending === pending ? last : undefined;
    }, timeoutMs);
  } catch {
    throw new Error(`lag of ${topic}/${queue ?? "-"} never reached ${pending}; last report: ${JSON.stringify(last)}`);
  }
}

/** A handler that holds every delivery until `release()` is called. */
export function heldHandler(): { handler: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { handler: () => released, release };
}
