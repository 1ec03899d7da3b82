import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Op } from "./payloads";

/** What `npm run bench -- …` asks for. */
export interface BenchOptions {
  /** Comma-separated terms: a system's exact id, or a substring of ids and labels (case-insensitive); default all. */
  only?: string;
  /** Warm-up before each measured window, ms; default 1000 (`--warmup=<s>`, env BENCH_WARMUP). */
  warmupMs: number;
  /** Measured window, ms; default 3000 (`--window=<s>`, env BENCH_WINDOW). */
  windowMs: number;
  /** Closed-loop concurrencies; default 1,32,256. */
  concurrency: number[];
  /** Payloads: hello (small) and/or echo (16 KiB); default both (`--payload=small,16k`). */
  ops: Op[];
  /** Events in the pub/sub scenario; default 200000. */
  events: number;
  /** Rounds per cell, every system once per round; rows show their median round; default 1 (`--repeat=<n>`, env BENCH_REPEAT). */
  repeat: number;
  /** Write docs/benchmarks.md; default only for a full run (no filter). */
  write: boolean;
  /**
   * A compiled bench of another checkout (the directory holding `processes/`): every tsmicro
   * row also runs from it, as "<label> (before)", right after the row itself.
   */
  baseline?: string;
}

const USAGE = `usage: npm run bench -- [--only=<id or substring>[,…]] [--window=<s>] [--warmup=<s>]
       [--concurrency=1,32,256] [--payload=small,16k] [--events=200000] [--repeat=1] [--write|--no-write]
       [--baseline=<compiled bench of another checkout, the directory holding processes/>]`;

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a positive number, got "${text}"\n${USAGE}`);
  return n;
}

/** Parses the command line (and BENCH_* variables); throws with the usage on a bad option. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      only: { type: "string" },
      window: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      payload: { type: "string" },
      events: { type: "string" },
      repeat: { type: "string" },
      write: { type: "boolean" },
      baseline: { type: "string" },
      "no-write": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const concurrency = (values.concurrency ?? "1,32,256").split(",").map((c) => Math.round(positive(c, "--concurrency")));
  const ops = (values.payload ?? "small,16k").split(",").map((p): Op => {
    if (p === "small" || p === "hello") return "hello";
    if (p === "16k" || p === "echo") return "echo";
    throw new Error(`unknown payload "${p}" (small or 16k)\n${USAGE}`);
  });
  const full = values.only === undefined && values.concurrency === undefined && values.payload === undefined && values.events === undefined && values.baseline === undefined;
  if (values.baseline !== undefined && !existsSync(join(values.baseline, "processes", "server.js"))) {
    throw new Error(`--baseline=${values.baseline}: no processes/server.js there (compile the other checkout's bench first: npx tsc -p bench)\n${USAGE}`);
  }
  return {
    only: values.only,
    warmupMs: positive(values.warmup ?? env.BENCH_WARMUP ?? "1", "--warmup") * 1000,
    windowMs: positive(values.window ?? env.BENCH_WINDOW ?? "3", "--window") * 1000,
    concurrency,
    ops,
    events: Math.round(positive(values.events ?? "200000", "--events")),
    repeat: Math.round(positive(values.repeat ?? env.BENCH_REPEAT ?? "1", "--repeat")),
    write: values["no-write"] ? false : (values.write ?? full),
    baseline: values.baseline,
  };
}
