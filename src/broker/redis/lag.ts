import type { BrokerLag } from "../broker";
import type { RedisClient } from "./client";

/** What the lag of one consumer group is read for. */
export interface GroupSource {
  readonly topic: string;
  readonly queue?: string;
  readonly source: { readonly key: string; readonly group: string };
}

/**
 * The lag of each distinct consumer group among `subs`, from `XINFO GROUPS`: entries not yet
 * delivered to the group (`lag`) plus delivered but unacknowledged ones (`pending`). A group whose
 * `lag` Redis cannot tell (null, e.g. after trimming past unread entries) or that is gone is left out.
 */
export async function groupLags(cmd: RedisClient, subs: Iterable<GroupSource>): Promise<BrokerLag[]> {
  const byKey = new Map<string, Map<string, GroupSource>>();
  for (const sub of subs) {
    const groups = byKey.get(sub.source.key) ?? new Map<string, GroupSource>();
    groups.set(sub.source.group, sub);
    byKey.set(sub.source.key, groups);
  }
  const lags: BrokerLag[] = [];
  for (const [key, groups] of byKey) {
    const rows = (await cmd.call("XINFO", "GROUPS", key)) as unknown[][];
    for (const row of rows) {
      const info = fields(row);
      const sub = groups.get(String(info.get("name")));
      const lag = info.get("lag");
      if (sub === undefined || lag === null || lag === undefined) continue;
      lags.push({ topic: sub.topic, ...(sub.queue === undefined ? {} : { queue: sub.queue }), pending: Number(lag) + Number(info.get("pending") ?? 0) });
    }
  }
  return lags;
}

/** A flat `[name, value, name, value, …]` reply as a map. */
function fields(row: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < row.length; i += 2) map.set(String(row[i]), row[i + 1]);
  return map;
}
