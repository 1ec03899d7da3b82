import { cpus, release, type } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { killAll, killChildrenOnExit } from "./harness/children";
import { leastDisturbed, newRerunBudget } from "./harness/machine-load";
import { emptyServer, missingServer, startRabbitMqServer, startRedis, type RunningServers } from "./harness/broker-servers";
import { findNatsServer, startNatsServer, type NatsServer } from "./harness/nats-server";
import { runPubSubCell } from "./harness/pubsub-cell";
import { runRpcCell } from "./harness/rpc-cell";
import { runStreamCell } from "./harness/stream-cell";
import { foldPubSub, foldRpc, foldStream, inRounds } from "./harness/rounds";
import { parseOptions } from "./options";
import { repoRoot } from "./paths";
import { renderReport, writeReport } from "./report";
import type { RunResults, Skipped } from "./results";
import { serverKindOf, SYSTEMS, type BenchSystem } from "./systems";

// `npm run bench`: every system's server and client in processes of their own, one scenario
// after another, then the tables on stdout and in docs/benchmarks.md.

const DOCS = join(repoRoot(), "docs", "benchmarks.md");
/** The raw figures of the last run, beside the compiled suite. */
const LAST_RUN = join(__dirname, "..", "last-run.json");

const since = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

async function select(only: string | undefined, skipped: Skipped[]): Promise<BenchSystem[]> {
  // Comma-separated; a term that is exactly a system's id selects only that system.
  const terms = only?.toLowerCase().split(",").map((t) => t.trim()).filter(Boolean) ?? [];
  const matches = (s: BenchSystem, term: string): boolean =>
    SYSTEMS.some((x) => x.id === term) ? s.id === term : `${s.id} ${s.label}`.toLowerCase().includes(term);
  const wanted = SYSTEMS.filter((s) => terms.length === 0 || terms.some((t) => matches(s, t)));
  const runnable: BenchSystem[] = [];
  for (const s of wanted) {
    const reason = await s.unavailable?.();
    if (reason) skipped.push({ label: s.label, reason });
    else runnable.push(s);
  }
  return runnable;
}

/** Each tsmicro system followed by its twin from the `--baseline` build (before/after in one run). */
function withBaseline(systems: BenchSystem[], dir: string): BenchSystem[] {
  return systems.flatMap((s) =>
    s.family === "tsmicro" ? [s, { ...s, id: `${s.id}@before`, label: `${s.label} (before)`, build: { dir, id: s.id } }] : [s],
  );
}

async function main(): Promise<void> {
  killChildrenOnExit();
  const opts = parseOptions(process.argv.slice(2));
  const t0 = Date.now();
  const skipped: Skipped[] = [];
  let systems = await select(opts.only, skipped);
  if (systems.length === 0 && skipped.length === 0) throw new Error(`no system matches --only=${opts.only}; ids: ${SYSTEMS.map((s) => s.id).join(", ")}`);
  if (opts.baseline) systems = withBaseline(systems, opts.baseline);

  let nats: NatsServer | undefined;
  if (systems.some((s) => s.needsNats)) {
    const bin = findNatsServer();
    if (bin) nats = await startNatsServer(bin);
    else {
      const reason = "nats-server is not installed (apt-get install -y nats-server)";
      for (const s of systems.filter((x) => x.needsNats)) skipped.push({ label: s.label, reason });
      systems = systems.filter((s) => !s.needsNats);
    }
  }
  // redis-server and RabbitMQ start only when a selected row needs them; a missing binary makes
  // its rows unavailable, not the run fail.
  const servers: RunningServers = { nats };
  for (const kind of ["redis", "rabbitmq"] as const) {
    const needing = systems.filter((s) => s.needsServer === kind);
    if (needing.length === 0) continue;
    const reason = missingServer(kind);
    if (reason === undefined) {
      servers[kind] = await (kind === "redis" ? startRedis() : startRabbitMqServer());
      console.log(`${kind} at ${servers[kind]!.url} (pid ${servers[kind]!.pid()})`);
      continue;
    }
    for (const s of needing) skipped.push({ label: s.label, reason });
    systems = systems.filter((s) => s.needsServer !== kind);
  }
  for (const s of skipped) console.log(`skipping ${s.label}: ${s.reason}`);
  if (nats) console.log(`nats-server at ${nats.url} (pid ${nats.pid})`);

  const results: RunResults = {
    startedAt: new Date(t0).toISOString(),
    durationS: 0,
    machine: { cpus: cpus().length, model: cpus()[0]?.model.trim() ?? "unknown CPU", node: process.versions.node, os: `${type()} ${release()}` },
    settings: { warmupS: opts.warmupMs / 1000, windowS: opts.windowMs / 1000, concurrency: opts.concurrency, events: opts.events, repeat: opts.repeat },
    rpc: [],
    pubsub: [],
    stream: [],
    skipped,
  };
  const timing = { warmupMs: opts.warmupMs, windowMs: opts.windowMs };
  const rpcSystems = systems.filter((s) => s.kind === "rpc");
  const cells = rpcSystems.length * opts.ops.length * opts.concurrency.length * opts.repeat;
  // A `--baseline` twin runs right after its row, so the two see the same machine.
  const own = (s: BenchSystem): boolean => s.build === undefined;
  const inOrder = <K extends BenchSystem["kind"]>(kind: K): Array<Extract<BenchSystem, { kind: K }>> => {
    const ofKind = systems.filter((s): s is Extract<BenchSystem, { kind: K }> => s.kind === kind);
    return ofKind.filter(own).flatMap((s) => [s, ...ofKind.filter((t) => t.build?.id === s.id)]);
  };
  const budget = newRerunBudget();
  const round = (k: number): string => (opts.repeat > 1 ? ` round ${k}/${opts.repeat}` : "");
  let n = 0;
  try {
    // Scenario by scenario, every system in turn (and, with --repeat, round after round): the
    // host's speed drifts over minutes, so rows compared with each other run close together.
    for (const op of opts.ops) {
      for (const c of opts.concurrency) {
        const rounds = await inRounds(inOrder("rpc"), opts.repeat, async (sys, k) => {
          const row = await leastDisturbed(() => runRpcCell(sys, op, c, timing, nats), budget, console.log);
          const what = row.failed
            ? `FAILED ${row.failed.split("\n")[0]}`
            : `${Math.round(row.rps)} req/s, p50 ${row.p50Us} µs, p99 ${row.p99Us} µs, ${row.cpuPer10k.toFixed(3)} CPU s/10k, errors ${row.errors + row.wrong}, other load ${row.otherLoad.toFixed(2)} cores`;
          console.log(`[${++n}/${cells}] ${sys.label}, ${op === "hello" ? "small" : "16 KiB"}, c=${c}${round(k)}: ${what} (${since(t0)})`);
          return row;
        });
        for (const rows of rounds.values()) results.rpc.push(foldRpc(rows));
      }
    }
    for (const mode of ["server", "bidi"] as const) {
      const rounds = await inRounds(inOrder("stream"), opts.repeat, async (sys, k) => {
        const row = await leastDisturbed(() => runStreamCell(sys, mode, timing), budget, console.log);
        const what = row.failed ? `FAILED ${row.failed.split("\n")[0]}` : `${Math.round(row.mps)} msg/s, ${row.cpuPer10k.toFixed(3)} CPU s/10k, errors ${row.errors + row.wrong}, other load ${row.otherLoad.toFixed(2)} cores`;
        console.log(`[stream] ${sys.label}, ${mode === "server" ? "server stream" : "bidi echo"}${round(k)}: ${what} (${since(t0)})`);
        return row;
      });
      for (const rows of rounds.values()) results.stream!.push(foldStream(rows));
    }
    const plan = { count: opts.events, batch: 1000, publishDeadlineMs: 60_000, quietMs: 3_000, drainMs: 15_000 };
    const rounds = await inRounds(inOrder("pubsub"), opts.repeat, async (sys, k) => {
      // Each attempt starts on a broker server without what an earlier row, round or attempt left.
      const empty = async (): Promise<void> => {
        const emptied = await emptyServer(servers, serverKindOf(sys));
        if (emptied) console.log(`  ${emptied} before ${sys.label}`);
      };
      const row = await leastDisturbed(() => runPubSubCell(sys, plan, servers), budget, console.log, empty);
      const what = row.failed ? `FAILED ${row.failed.split("\n")[0]}` : `${Math.round(row.eventsPerSec)} events/s, ${row.distinct}/${row.published} delivered, ${row.lost} lost, other load ${row.otherLoad.toFixed(2)} cores`;
      console.log(`[pub/sub] ${sys.label}${round(k)}: ${what} (${since(t0)})`);
      return row;
    });
    for (const rows of rounds.values()) results.pubsub.push(foldPubSub(rows));
  } finally {
    nats?.stop();
    await Promise.all([servers.redis?.stop(), servers.rabbitmq?.stop()]);
    killAll();
  }

  results.durationS = (Date.now() - t0) / 1000;
  const report = renderReport(results);
  console.log(`\n${report}`);
  writeFileSync(LAST_RUN, JSON.stringify(results, null, 2));
  console.log(`raw figures in ${LAST_RUN}`);
  if (opts.write) {
    writeReport(DOCS, report);
    console.log(`wrote ${DOCS}`);
  } else console.log(`(docs/benchmarks.md not written: filtered run; pass --write to write it anyway)`);
  console.log(`total ${since(t0)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    killAll();
    process.exit(1);
  },
);
