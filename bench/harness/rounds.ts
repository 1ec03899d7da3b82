import type { CellOutcome, PubSubRow, RpcRow, StreamRow } from "../results";

// `--repeat=N`: a scenario runs N rounds, every system once per round in the same order, so
// the rows compared with each other alternate over the same minutes. Each row then shows its
// median round: on this host one cell can land in a fast or a slow state, and a single run of
// a row says which state it met more than what the code does.

/** Runs `cell` for every system, `rounds` times over; returns each system's rows, in round order. */
export async function inRounds<S, R>(systems: readonly S[], rounds: number, cell: (sys: S, round: number) => Promise<R>): Promise<Map<S, R[]>> {
  const out = new Map<S, R[]>(systems.map((s) => [s, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const sys of systems) out.get(sys)!.push(await cell(sys, round));
  }
  return out;
}

/**
 * The round to show: the median by `rate` (the lower middle one for an even count, so two
 * rounds show the slower), or the first failed round, which must not hide behind a good one.
 * `rounds` on the result lists every round's rate.
 */
function medianOf<R extends { failed?: string; rounds?: number[] }>(rows: readonly R[], rate: (r: R) => number): R {
  if (rows.length === 0) throw new Error("a cell needs at least one round");
  const failed = rows.find((r) => r.failed !== undefined);
  const median = failed ?? [...rows].sort((a, b) => rate(a) - rate(b))[(rows.length - 1) >> 1]!;
  return { ...median, rounds: rows.map(rate) };
}

const sum = <R>(rows: readonly R[], n: (r: R) => number): number => rows.reduce((t, r) => t + n(r), 0);

/** A cell's rounds as one row: the median round by `rate`, with the errors of every round. */
function foldCell<R extends CellOutcome>(rows: readonly R[], rate: (r: R) => number): R {
  return { ...medianOf(rows, rate), errors: sum(rows, (r) => r.errors), wrong: sum(rows, (r) => r.wrong), firstProblem: rows.find((r) => r.firstProblem)?.firstProblem };
}

/** An RPC cell's rounds as one row, by req/s. */
export const foldRpc = (rows: readonly RpcRow[]): RpcRow => foldCell(rows, (r) => r.rps);

/** A stream cell's rounds as one row, by messages/s. */
export const foldStream = (rows: readonly StreamRow[]): StreamRow => foldCell(rows, (r) => r.mps);

/** A pub/sub row's rounds as one: the median round by events/s; what was lost or malformed in any round is summed. */
export function foldPubSub(rows: readonly PubSubRow[]): PubSubRow {
  return {
    ...medianOf(rows, (r) => r.eventsPerSec),
    lost: sum(rows, (r) => r.lost),
    publishErrors: sum(rows, (r) => r.publishErrors),
    duplicates: sum(rows, (r) => r.duplicates),
    wrong: sum(rows, (r) => r.wrong),
    firstError: rows.find((r) => r.firstError)?.firstError,
  };
}
