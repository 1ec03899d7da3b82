import { performance } from "node:perf_hooks";
import type { LoadResult, StreamRunCommand } from "../ipc";
import { systemById } from "../systems";
import { isStreamAnswer } from "../systems/stream-types";
import { childConfig, onParent, runChild, send, usage } from "./runtime";

// The stream generator: runs one stream of `batch` messages after another (server stream or
// bidi echo) and counts the correct messages received in the measured window.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

runChild(async () => {
  const { system, env } = childConfig();
  const sys = systemById(system);
  if (sys.kind !== "stream") throw new Error(`${system} is not a stream system`);
  const adapter = await sys.load();
  const run = await new Promise<StreamRunCommand>((resolve) => onParent((m) => m.type === "stream-run" && resolve(m)));
  const client = await adapter.connect(run.address, env);
  let measuring = false;
  let stopping = false;
  let completed = 0;
  let wrong = 0;
  let errors = 0;
  let firstProblem: string | undefined;
  const loop = (async () => {
    while (!stopping) {
      let i = 0;
      try {
        await client.run(run.mode, run.batch, (m) => {
          const ok = isStreamAnswer(run.mode, m, i++);
          if (!measuring) return;
          if (ok) completed++;
          else {
            wrong++;
            firstProblem ??= `wrong message ${i - 1}: ${JSON.stringify(m).slice(0, 120)}`;
          }
        });
      } catch (err) {
        if (measuring) errors++;
        firstProblem ??= `error: ${err instanceof Error ? err.message : String(err)}`;
        await sleep(10);
      }
    }
  })();
  await sleep(run.warmupMs);
  const before = usage();
  const start = performance.now();
  measuring = true;
  send({ type: "mark", edge: "start" });
  await sleep(run.windowMs);
  measuring = false;
  stopping = true;
  const windowMs = performance.now() - start;
  const after = usage();
  send({ type: "mark", edge: "end" });
  await Promise.race([loop, sleep(5_000)]);
  const result: LoadResult = { completed, errors, wrong, firstProblem, windowMs, p50Us: NaN, p99Us: NaN, usage: { cpuUs: after.cpuUs - before.cpuUs, maxRssKb: after.maxRssKb } };
  send({ type: "result", result });
});
