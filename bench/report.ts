import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Op } from "./payloads";
import type { CellOutcome, PubSubRow, RpcRow, RunResults, StreamRow } from "./results";
import type { LimitId } from "./systems";
import { DISTURBED_CORES } from "./harness/machine-load";

// Turns a run's results into markdown: summary, targets of issue 3, one table per scenario,
// pub/sub. The generated part lives between markers in docs/benchmarks.md; the rest of that
// page is written by hand and left alone.

export const START_MARKER = "<!-- bench:start -->";
export const END_MARKER = "<!-- bench:end -->";

const OP_TITLE: Record<Op, string> = { hello: 'small: {name:"John"} → {greeting:"Hello John"}', echo: "16 KiB string echoed" };
const OP_SHORT: Record<Op, string> = { hello: "small", echo: "16 KiB" };
const LIMIT_SHORT: Record<LimitId, string> = { "raw-net": "net", "raw-http": "http", "raw-nats": "nats" };

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const times = (n: number): string => (Number.isFinite(n) && n > 0 ? `${n.toFixed(2)}×` : "–");
/** Cores other processes kept busy during a cell; flagged when it may have skewed the row. */
const noise = (cores: number): string => (Number.isFinite(cores) ? `${cores.toFixed(2)}${cores > DISTURBED_CORES ? " ⚠" : ""}` : "–");
const kilo = (n: number): string => (n > 0 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : "–");

/** The slowest and fastest round of a repeated row, e.g. `110k–155k`. */
const spread = (rounds: readonly number[] | undefined): string =>
  rounds && rounds.length > 1 ? `${kilo(Math.min(...rounds))}–${kilo(Math.max(...rounds))}` : "–";
/** Rows ran in more than one round: their tables get a column with the range of the rounds. */
const repeated = (rows: ReadonlyArray<{ rounds?: number[] }>): boolean => rows.some((r) => (r.rounds?.length ?? 0) > 1);

function table(head: string[], rows: string[][]): string {
  const align = head.map((_, i) => (i === 0 ? ":---" : "---:"));
  return [head, align, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

const ok = (r: RpcRow): boolean => r.failed === undefined && r.rps > 0;

function scenario(rows: readonly RpcRow[], op: Op, c: number): RpcRow[] {
  return rows.filter((r) => r.op === op && r.concurrency === c);
}

function find(rows: readonly RpcRow[], system: string, op: Op, c: number): RpcRow | undefined {
  return rows.find((r) => r.system === system && r.op === op && r.concurrency === c && ok(r));
}

/** Cores busy in the load generator and the server, e.g. `0.93 / 0.71`. */
function cores(r: CellOutcome): string {
  return r.coresBusy ? `${r.coresBusy.client.toFixed(2)} / ${r.coresBusy.server.toFixed(2)}` : "–";
}

/** The fastest peer (Moleculer, NestJS, gRPC) among `rows`. */
function bestPeer(rows: readonly RpcRow[]): RpcRow | undefined {
  return rows.filter((r) => r.family === "peer" && ok(r)).sort((a, b) => b.rps - a.rps)[0];
}

function rpcScenarioTable(rows: RpcRow[]): string {
  const best = bestPeer(rows);
  const limits = new Map(rows.filter((r) => r.family === "raw" && ok(r)).map((r) => [r.system as LimitId, r]));
  const rounds = repeated(rows);
  const head = ["system", "req/s", ...(rounds ? ["rounds min–max"] : []), "p50 µs", "p99 µs", "CPU s/10k", "cores cli / srv", "RSS MB srv / cli", "× raw limit", "× best peer", "errors", "other load"];
  const body = rows.map((r) => {
    if (!ok(r)) return [r.label, `failed: ${(r.failed ?? "no correct responses").split("\n")[0]}`, ...Array<string>(head.length - 2).fill("")];
    const limit = limits.get(r.limit);
    return [
      r.label,
      int(r.rps),
      ...(rounds ? [spread(r.rounds)] : []),
      int(r.p50Us),
      int(r.p99Us),
      fixed(r.cpuPer10k, 3),
      cores(r),
      `${int(r.serverRssMb)} / ${int(r.clientRssMb)}`,
      limit ? `${times(r.rps / limit.rps)} ${LIMIT_SHORT[r.limit]}` : "–",
      best ? times(r.rps / best.rps) : "–",
      int(r.errors + r.wrong),
      noise(r.otherLoad),
    ];
  });
  const caption = best ? `Best peer: ${best.label}, ${int(best.rps)} req/s.` : "No peer ran.";
  return `${caption}\n\n${table(head, body)}`;
}

function summaryTable(rpc: readonly RpcRow[], ops: Op[], cs: number[]): string {
  const labels = [...new Set(rpc.map((r) => r.label))];
  const head = ["req/s", ...ops.flatMap((op) => cs.map((c) => `${OP_SHORT[op]} c=${c}`))];
  const body = labels.map((label) => [
    label,
    ...ops.flatMap((op) => cs.map((c) => {
      const r = rpc.find((x) => x.label === label && x.op === op && x.concurrency === c);
      return r && ok(r) ? kilo(r.rps) : "–";
    })),
  ]);
  return table(head, body);
}

function pubsubTable(rows: readonly PubSubRow[]): string {
  const raw = rows.find((r) => r.system === "pubsub-raw-nats" && !r.failed);
  const best = rows.filter((r) => r.family === "peer" && !r.failed).sort((a, b) => b.eventsPerSec - a.eventsPerSec)[0];
  const rounds = repeated(rows);
  const head = ["system", "events", "delivered/s", ...(rounds ? ["rounds min–max"] : []), rounds ? "lost, all rounds" : "lost", "CPU s/10k", "RSS MB pub / sub", "× raw NATS", "× best peer", "other load"];
  const body = rows.map((r) => {
    if (r.failed) return [r.label, `failed: ${r.failed.split("\n")[0]}`, ...Array<string>(head.length - 2).fill("")];
    return [
      r.label,
      int(r.published),
      int(r.eventsPerSec),
      ...(rounds ? [spread(r.rounds)] : []),
      `${int(r.lost)}${r.publishErrors ? ` (+${int(r.publishErrors)} failed to publish)` : ""}${r.duplicates ? `, ${int(r.duplicates)} dup` : ""}${r.wrong ? `, ${int(r.wrong)} malformed` : ""}`,
      fixed(r.cpuPer10k, 3),
      `${int(r.publisherRssMb)} / ${int(r.subscriberRssMb)}`,
      raw ? times(r.eventsPerSec / raw.eventsPerSec) : "–",
      best ? times(r.eventsPerSec / best.eventsPerSec) : "–",
      noise(r.otherLoad),
    ];
  });
  const caption = best ? `Best peer: ${best.label}, ${int(best.eventsPerSec)} events/s.` : "No peer ran.";
  return `${caption}\n\n${table(head, body)}`;
}

type Verdict = [target: string, measured: string, status: string];

const verdict = (met: boolean): string => (met ? "met" : "**missed**");

function ratioTarget(target: string, row: RpcRow | undefined, base: RpcRow | undefined, min: number, baseName: string, why: string): Verdict {
  if (!row || !base) return [target, "–", `not measured (${why})`];
  const r = row.rps / base.rps;
  return [target, `${r.toFixed(2)}× ${baseName} (${int(row.rps)} vs ${int(base.rps)} req/s)`, verdict(r >= min)];
}

/** The worst ratio of `system` to `base` over `cells`, as a verdict. */
function worstRatio(target: string, rpc: readonly RpcRow[], system: string, base: (op: Op, c: number) => RpcRow | undefined, cells: Array<[Op, number]>, min: number, why: string): Verdict {
  let worst: { r: number; where: string } | undefined;
  for (const [op, c] of cells) {
    const row = find(rpc, system, op, c);
    const b = base(op, c);
    if (!row || !b) continue;
    const r = row.rps / b.rps;
    if (!worst || r < worst.r) worst = { r, where: `${OP_SHORT[op]} c=${c}` };
  }
  if (!worst) return [target, "–", `not measured (${why})`];
  return [target, `worst ${worst.r.toFixed(2)}× (${worst.where})`, verdict(worst.r >= min)];
}

function targets(res: RunResults): Verdict[] {
  const { rpc, pubsub } = res;
  const cs = res.settings.concurrency;
  const tcp = "tsmicro-tcp-json";
  const noTcp = rpc.some((r) => r.system === tcp) ? "scenario not run" : "not run";
  const peerAt = (op: Op, c: number): RpcRow | undefined => bestPeer(scenario(rpc, op, c));
  const out: Verdict[] = [
    ratioTarget("tcp, small, c=1: ≥ 1.1× best peer", find(rpc, tcp, "hello", 1), peerAt("hello", 1), 1.1, "best peer", noTcp),
    ratioTarget("tcp, small, c=32: ≥ 2× best peer", find(rpc, tcp, "hello", 32), peerAt("hello", 32), 2, "best peer", noTcp),
    ratioTarget("tcp, small, c=256: ≥ 2.5× best peer", find(rpc, tcp, "hello", 256), peerAt("hello", 256), 2.5, "best peer", noTcp),
  ];
  const t32 = find(rpc, tcp, "hello", 32);
  const others32 = scenario(rpc, "hello", 32).filter((r) => r.system !== tcp && !r.system.endsWith("@before") && ok(r));
  if (t32 && others32.length > 0) {
    const lowest = others32.sort((a, b) => a.p99Us - b.p99Us)[0]!;
    out.push(["tcp, small, c=32: p99 the lowest of all rows", `${int(t32.p99Us)} µs vs ${int(lowest.p99Us)} µs (${lowest.label})`, verdict(t32.p99Us < lowest.p99Us)]);
  } else out.push(["tcp, small, c=32: p99 the lowest of all rows", "–", `not measured (${noTcp})`]);
  const echoCells = cs.map((c): [Op, number] => ["echo", c]);
  const rawNet = (op: Op, c: number): RpcRow | undefined => find(rpc, "raw-net", op, c);
  out.push(worstRatio("tcp + json, 16 KiB: ≥ 0.9× raw net framing at every concurrency", rpc, tcp, rawNet, echoCells, 0.9, noTcp));
  out.push(worstRatio("tcp + protobuf, 16 KiB: ≥ 1.0× raw net framing (JSON) at every concurrency", rpc, "tsmicro-tcp-proto", rawNet, echoCells, 1.0, "not run"));
  const allCells = (["hello", "echo"] as Op[]).flatMap((op) => cs.map((c): [Op, number] => [op, c]));
  out.push(worstRatio("http + json: ≥ 0.8× raw node:http at every concurrency and payload", rpc, "tsmicro-http-json", (op, c) => find(rpc, "raw-http", op, c), allCells, 0.8, "not run"));
  let worst: { r: number; where: string; peer: string } | undefined;
  for (const [op, c] of allCells) {
    const mine = find(rpc, tcp, op, c);
    const peers = scenario(rpc, op, c).filter((r) => r.family === "peer" && ok(r)).sort((a, b) => a.cpuPer10k - b.cpuPer10k);
    if (!mine || peers.length === 0) continue;
    const r = mine.cpuPer10k / peers[0]!.cpuPer10k;
    if (!worst || r > worst.r) worst = { r, where: `${OP_SHORT[op]} c=${c}`, peer: peers[0]!.label };
  }
  const cpuTarget = "tcp + json: CPU per request ≤ every peer's at both payloads";
  out.push(worst ? [cpuTarget, `worst ${worst.r.toFixed(2)}× ${worst.peer} (${worst.where})`, verdict(worst.r <= 1)] : [cpuTarget, "–", `not measured (${noTcp})`]);
  out.push(ratioTarget("grpc + protobuf, small, c=32: ≥ 1.5× @grpc/grpc-js (issue 10)", find(rpc, "tsmicro-grpc-proto", "hello", 32), find(rpc, "grpc", "hello", 32), 1.5, "grpc-js", "not run"));
  out.push(...streamTargets(res.stream ?? []));
  const ran = pubsub.filter((r) => !r.failed);
  const lossy = ran.filter((r) => r.lost > 0 || r.publishErrors > 0);
  out.push([
    "pub/sub: nothing lost in any row",
    ran.length === 0 ? "–" : lossy.length === 0 ? "0 lost" : lossy.map((r) => `${r.label}: ${int(r.lost + r.publishErrors)}`).join("; "),
    ran.length === 0 ? "not measured" : verdict(lossy.length === 0),
  ]);
  const natsBroker = ran.find((r) => r.system === "pubsub-tsmicro-nats");
  for (const [target, base, min] of [
    ["nats broker, at-most-once: ≥ 2× Moleculer over NATS (issue 9)", ran.find((r) => r.system === "pubsub-moleculer-nats"), 2],
    ["nats broker, at-most-once: ≥ 0.6× raw NATS (issue 9)", ran.find((r) => r.system === "pubsub-raw-nats"), 0.6],
  ] as const) {
    out.push(
      natsBroker && base
        ? [target, `${(natsBroker.eventsPerSec / base.eventsPerSec).toFixed(2)}× (${int(natsBroker.eventsPerSec)} vs ${int(base.eventsPerSec)} events/s)`, verdict(natsBroker.eventsPerSec >= min * base.eventsPerSec)]
        : [target, "–", "not measured (not run)"],
    );
  }
  return out;
}

/** Issue 7's stream targets: tcp streams ≥ 3× grpc-js streaming and ≥ 0.5× raw framing, both modes. */
function streamTargets(rows: readonly StreamRow[]): Verdict[] {
  const out: Verdict[] = [];
  for (const [base, min, name] of [["stream-grpc", 3, "@grpc/grpc-js streaming"], ["stream-raw-net", 0.5, "raw net stream framing"]] as const) {
    const target = `tcp streams: ≥ ${min}× ${name}, both modes (issue 7)`;
    const ratios = (["server", "bidi"] as const).flatMap((mode) => {
      const mine = rows.find((r) => r.system === "stream-tsmicro-tcp" && r.mode === mode && !r.failed);
      const other = rows.find((r) => r.system === base && r.mode === mode && !r.failed);
      return mine && other && other.mps > 0 ? [{ mode, r: mine.mps / other.mps }] : [];
    });
    if (ratios.length === 0) {
      out.push([target, "–", "not measured (not run)"]);
      continue;
    }
    const worst = ratios.sort((a, b) => a.r - b.r)[0]!;
    out.push([target, `worst ${worst.r.toFixed(2)}× (${worst.mode === "server" ? "server stream" : "bidi echo"})`, verdict(worst.r >= min)]);
  }
  return out;
}

function problems(res: RunResults): string[] {
  const lines: string[] = [];
  for (const r of res.rpc) {
    if (r.failed) lines.push(`- ${r.label}, ${OP_SHORT[r.op]} c=${r.concurrency}: failed — ${r.failed.split("\n")[0]}`);
    else if (r.errors + r.wrong > 0) lines.push(`- ${r.label}, ${OP_SHORT[r.op]} c=${r.concurrency}: ${r.errors} errors, ${r.wrong} wrong answers; first: ${r.firstProblem}`);
  }
  for (const r of res.stream ?? []) {
    if (r.failed) lines.push(`- ${r.label}, ${r.mode}: failed — ${r.failed.split("\n")[0]}`);
    else if (r.errors + r.wrong > 0) lines.push(`- ${r.label}, ${r.mode}: ${r.errors} errors, ${r.wrong} wrong; first: ${r.firstProblem}`);
  }
  for (const r of res.pubsub) {
    if (r.failed) lines.push(`- ${r.label}: failed — ${r.failed.split("\n")[0]}`);
    else if (r.publishErrors > 0) lines.push(`- ${r.label}: ${r.publishErrors} publish errors; first: ${r.firstError}`);
  }
  return lines;
}

/** The stream rows: messages/s per scenario, with ratios to grpc-js and the raw limit. */
function streamTable(rows: readonly StreamRow[]): string {
  const modes: Array<[StreamRow["mode"], string]> = [["server", "server stream of small messages"], ["bidi", "bidirectional echo"]];
  const out: string[] = [];
  for (const [mode, title] of modes) {
    const here = rows.filter((r) => r.mode === mode);
    if (here.length === 0) continue;
    const grpc = here.find((r) => r.system === "stream-grpc" && !r.failed);
    const raw = here.find((r) => r.system === "stream-raw-net" && !r.failed);
    const ratio = (r: StreamRow, base?: StreamRow): string => (r.failed || !base || base.mps === 0 ? "—" : `${(r.mps / base.mps).toFixed(2)}×`);
    const rounds = repeated(here);
    const body = here.map((r) => [
      r.label,
      r.failed ? "failed" : int(r.mps),
      ...(rounds ? [r.failed ? "—" : spread(r.rounds)] : []),
      r.failed ? "—" : r.cpuPer10k.toFixed(3),
      r.failed ? "—" : cores(r),
      r.failed ? "—" : `${Math.round(r.serverRssMb)} / ${Math.round(r.clientRssMb)}`,
      ratio(r, raw),
      ratio(r, grpc),
      int(r.errors + r.wrong),
      noise(r.otherLoad),
    ]);
    out.push(`#### ${title}`, "", table(["system", "messages/s", ...(rounds ? ["rounds min–max"] : []), "CPU s/10k", "cores cli / srv", "RSS MB srv / cli", "× raw net", "× grpc-js", "errors", "other load"], body), "");
  }
  return out.join("\n");
}

/** The generated markdown for one run. */
export function renderReport(res: RunResults): string {
  const { machine: m, settings: s } = res;
  const ops = [...new Set(res.rpc.map((r) => r.op))];
  const out: string[] = [
    `Run of ${res.startedAt.slice(0, 16).replace("T", " ")} UTC, ${Math.round(res.durationS)} s: ${m.cpus} × ${m.model}, Node ${m.node}, ${m.os}. ` +
      `Warm-up ${s.warmupS} s, measured window ${s.windowS} s per cell, concurrency ${s.concurrency.join(", ")}, ${int(s.events)} pub/sub events.`,
    "",
    "> These machines are shared and noisy: figures move by 10–30 % between runs, more when other work runs at the same time. " +
      "Compare rows of the same run, not runs. \"Other load\" is the CPU (in cores) that processes outside the benchmark used during a cell; " +
      `cells start once the machine is quiet, and a cell above ${DISTURBED_CORES} (⚠) was rerun up to twice and the least disturbed attempt kept.`,
    "",
  ];
  if ((s.repeat ?? 1) > 1) {
    out.push(
      `Each cell ran ${s.repeat} rounds, every system once per round in the same order. A row shows its median round (the slower middle one for an even count), ` +
        "with the slowest and fastest round beside it; errors and lost events are summed over all rounds, and a failed round shows as the row.",
      "",
    );
  }
  if (res.skipped.length > 0) out.push("Not run:", "", ...res.skipped.map((x) => `- ${x.label}: ${x.reason}`), "");
  out.push("### Targets (issue 12, and the rows issues 7, 9 and 10 added)", "", table(["target", "this run", "status"], targets(res)), "");
  if (res.rpc.length > 0) {
    out.push("### Requests/s at a glance", "", summaryTable(res.rpc, ops, s.concurrency), "");
    for (const op of ops) {
      for (const c of s.concurrency) {
        const rows = scenario(res.rpc, op, c);
        if (rows.length > 0) out.push(`### RPC, ${OP_TITLE[op]}, concurrency ${c}`, "", rpcScenarioTable(rows), "");
      }
    }
  }
  if (res.pubsub.length > 0) out.push("### Pub/sub: one publisher, one subscriber in another process", "", pubsubTable(res.pubsub), "");
  if ((res.stream ?? []).length > 0) {
    out.push("### Streams: one stream at a time, client and server in processes of their own (targets: tcp ≥ 3× grpc-js, ≥ 0.5× raw)", "", streamTable(res.stream!));
  }
  const issues = problems(res);
  if (issues.length > 0) out.push("### Errors seen", "", ...issues, "");
  return out.join("\n");
}

/** Replaces the generated part of `path` (between the marker lines), keeping the hand-written rest. */
export function writeReport(path: string, generated: string): void {
  const block = `${START_MARKER}\n${generated.trimEnd()}\n${END_MARKER}`;
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  // Only markers alone on their line count, so the page may mention them in its text.
  const lines = current.split("\n");
  const start = lines.indexOf(START_MARKER);
  const end = lines.indexOf(END_MARKER, start + 1);
  const next =
    start >= 0 && end > start
      ? [...lines.slice(0, start), block, ...lines.slice(end + 1)].join("\n")
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
