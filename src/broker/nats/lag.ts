import type { JetStreamManager } from "nats";
import type { BrokerLag } from "../broker";

/** What the lag of one durable consumer is read for. */
export interface ConsumerSource {
  readonly topic: string;
  readonly queue?: string;
  readonly stream: string;
  readonly durable: string;
}

/**
 * The lag of each distinct durable consumer among `subs`, from its consumer info: messages not yet
 * delivered (`num_pending`) plus delivered but unacknowledged ones (`num_ack_pending`). A consumer
 * the server no longer has (removed while idle, or a lost stream) is left out.
 */
export async function consumerLags(jsm: JetStreamManager, subs: Iterable<ConsumerSource>): Promise<BrokerLag[]> {
  const distinct = new Map<string, ConsumerSource>();
  for (const sub of subs) distinct.set(`${sub.stream}\n${sub.durable}`, sub);
  const infos = await Promise.all(
    [...distinct.values()].map(async (sub) => {
      const info = await jsm.consumers.info(sub.stream, sub.durable).catch(() => undefined);
      if (info === undefined) return undefined;
      const lag: BrokerLag = { topic: sub.topic, ...(sub.queue === undefined ? {} : { queue: sub.queue }), pending: info.num_pending + info.num_ack_pending };
      return lag;
    }),
  );
  return infos.filter((l): l is BrokerLag => l !== undefined);
}
