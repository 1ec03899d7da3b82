import { nowMs, type Progress } from "../ipc";
import { eventSeq } from "../payloads";
import { systemById } from "../systems";
import { childConfig, onParent, runChild, send, usage } from "./runtime";

// A pub/sub system's subscriber: counts events, distinct sequence numbers, duplicates and
// malformed ones, and when the last one arrived.

runChild(async () => {
  const { system, env, count = 0 } = childConfig();
  const sys = systemById(system);
  if (sys.kind !== "pubsub") throw new Error(`${system} is not a pub/sub system`);
  const seen = new Uint8Array(count);
  const progress: Progress = { received: 0, distinct: 0, duplicates: 0, wrong: 0, lastAtMs: 0 };
  const onEvent = (event: unknown): void => {
    progress.received++;
    progress.lastAtMs = nowMs();
    const seq = eventSeq(event, count);
    if (seq < 0) progress.wrong++;
    else if (seen[seq]) progress.duplicates++;
    else {
      seen[seq] = 1;
      progress.distinct++;
    }
  };
  const handle = await (await sys.load()).subscribe(env, onEvent);
  onParent((m) => {
    if (m.type === "usage") send({ type: "usage", usage: usage() });
    if (m.type === "progress") send({ type: "progress", progress });
  });
  send({ type: "ready", info: handle.info });
});
