import { nowMs, type Published } from "../ipc";
import type { BenchEvent } from "../payloads";
import { systemById } from "../systems";
import type { PublisherHandle } from "../systems/types";
import { childConfig, onParent, runChild, send, usage } from "./runtime";

// A pub/sub system's publisher: sends `count` events in batches (each system decides how a
// batch goes out and when it counts as sent), stopping early at the deadline.

async function publish(handle: PublisherHandle, count: number, batch: number, deadlineMs: number): Promise<Published> {
  const result: Published = { published: 0, errors: 0, startAtMs: nowMs(), endAtMs: 0 };
  const stopAt = result.startAtMs + deadlineMs;
  for (let from = 0; from < count && nowMs() < stopAt; from += batch) {
    const events: BenchEvent[] = [];
    for (let seq = from; seq < Math.min(from + batch, count); seq++) events.push({ seq, name: "John" });
    try {
      await handle.publishBatch(events);
    } catch (err) {
      result.errors += events.length;
      result.firstError ??= err instanceof Error ? err.message : String(err);
    }
    result.published += events.length;
  }
  result.endAtMs = nowMs();
  return result;
}

runChild(async () => {
  const { system, env, info } = childConfig();
  const sys = systemById(system);
  if (sys.kind !== "pubsub") throw new Error(`${system} is not a pub/sub system`);
  const handle = await (await sys.load()).publisher(env, info);
  onParent((m) => {
    if (m.type === "usage") send({ type: "usage", usage: usage() });
    if (m.type === "publish") void publish(handle, m.count, m.batch, m.deadlineMs).then((published) => send({ type: "published", published }));
  });
  send({ type: "ready" });
});
