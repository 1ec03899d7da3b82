import * as hdr from "hdr-histogram-js";
import { performance } from "node:perf_hooks";
import type { LoadResult, RunCommand } from "../ipc";
import { isCorrect, requestFor } from "../payloads";
import { systemById } from "../systems";
import type { ClientHandle } from "../systems/types";
import { childConfig, measureWindow, onParent, runChild, send, sleep } from "./runtime";

// The load generator: a closed loop of `concurrency` callers, each sending its next request
// as soon as the previous one is answered. Warm-up first (not recorded), then the measured
// window; every response is checked. The harness snapshots the server's CPU when this process
// reports the window's edges ("mark").

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function preview(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

async function closedLoop(client: ClientHandle, run: RunCommand): Promise<LoadResult> {
  const body = requestFor(run.op);
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let measuring = false;
  let stopping = false;
  let completed = 0;
  let errors = 0;
  let wrong = 0;
  let firstProblem: string | undefined;

  const worker = async (): Promise<void> => {
    while (!stopping) {
      const t0 = performance.now();
      let failure: string | undefined;
      let answer: unknown;
      try {
        answer = await client.call(run.op, body);
      } catch (err) {
        failure = err instanceof Error ? err.message : String(err);
      }
      const t1 = performance.now();
      const correct = failure === undefined && isCorrect(run.op, answer);
      if (measuring) {
        if (correct) {
          completed++;
          histogram.recordValue(Math.max(1, Math.round((t1 - t0) * 1000)));
        } else if (failure !== undefined) {
          errors++;
          firstProblem ??= `error: ${failure}`;
        } else {
          wrong++;
          firstProblem ??= `wrong answer: ${preview(answer)}`;
        }
      }
      // A failing system may fail synchronously: let timers (the window's end) run.
      if (!correct) await yieldToLoop();
    }
  };
  const workers = Array.from({ length: run.concurrency }, worker);

  const { windowMs, usage } = await measureWindow(run.warmupMs, run.windowMs, (on) => {
    measuring = on;
    stopping = !on;
  });
  // Let calls in flight finish (bounded: a stuck system must not stop the report).
  await Promise.race([Promise.all(workers), sleep(2_000)]);
  return {
    completed,
    errors,
    wrong,
    firstProblem,
    windowMs,
    p50Us: histogram.getValueAtPercentile(50),
    p99Us: histogram.getValueAtPercentile(99),
    usage,
  };
}

runChild(async () => {
  const { system, env } = childConfig();
  const sys = systemById(system);
  if (sys.kind !== "rpc") throw new Error(`${system} is not an RPC system`);
  const adapter = await sys.load();
  const run = await new Promise<RunCommand>((resolve) => onParent((m) => m.type === "run" && resolve(m)));
  const client = await adapter.connect(run.address, env);
  send({ type: "result", result: await closedLoop(client, run) });
});
