import type { LoadResult, StreamRunCommand } from "../ipc";
import { systemById } from "../systems";
import { isStreamAnswer } from "../systems/stream-types";
import { childConfig, measureWindow, onParent, runChild, send, sleep } from "./runtime";

// The stream generator: runs one stream of `batch` messages after another (server stream or
// bidi echo) and counts the correct messages received in the measured window.


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
  const { windowMs, usage } = await measureWindow(run.warmupMs, run.windowMs, (on) => {
    measuring = on;
    stopping = !on;
  });
  await Promise.race([loop, sleep(5_000)]);
  const result: LoadResult = { completed, errors, wrong, firstProblem, windowMs, p50Us: NaN, p99Us: NaN, usage };
  send({ type: "result", result });
});
