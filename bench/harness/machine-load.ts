import { readFileSync } from "node:fs";

// How busy the whole machine was, from /proc/stat, so a cell can tell how much CPU went to
// work that is not the benchmark's (other sessions' builds and tests on a shared machine).

/** Cumulative CPU seconds of the machine (all cores). */
export interface MachineCpu {
  /** Time not idle and not waiting for I/O. */
  busy: number;
}

/** Reads /proc/stat; undefined where there is none. */
export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (USER_HZ = 100)
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    return { busy: (user! + nice! + system! + irq! + softirq! + steal!) / 100 };
  } catch {
    return undefined;
  }
}

/** Cores' worth of CPU used by anything but the measured processes over `seconds`. */
export function otherLoad(before: MachineCpu | undefined, after: MachineCpu | undefined, ownSeconds: number, seconds: number): number {
  if (!before || !after || seconds <= 0) return NaN;
  return Math.max(0, after.busy - before.busy - ownSeconds) / seconds;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Between cells nothing of the benchmark runs, so whatever keeps the machine busy is other
 * work. Waits (within `budget.ms`, shared by the whole run) until less than `cores` cores are
 * busy over half a second. Resolves with the load it last saw.
 */
export async function waitForQuiet(cores: number, budget: Pick<RerunBudget, "ms">, log: (line: string) => void): Promise<number> {
  let logged = false;
  for (;;) {
    const before = machineCpu();
    await sleep(500);
    const load = otherLoad(before, machineCpu(), 0, 0.5);
    if (!(load > cores) || budget.ms <= 0) return load;
    if (!logged) log(`  waiting for other work on the machine to finish (${load.toFixed(2)} cores busy)`);
    logged = true;
    await sleep(1_000);
    budget.ms -= 1_500;
  }
}

/** Other processes using more than this many cores during a cell make it a candidate for a rerun. */
export const DISTURBED_CORES = 0.2;
/** Reruns per cell, and per run (so a machine that stays busy does not triple the run time). */
const RERUNS_PER_CELL = 2;
const RERUNS_PER_RUN = 30;
/** How long a run may wait, in all, for other work to finish before a cell. */
const QUIET_WAIT_MS = 180_000;

/** What one run may still spend on reruns (`left`) and on waiting for quiet (`ms`). */
export interface RerunBudget {
  left: number;
  ms: number;
}

/** A run's whole budget. */
export function newRerunBudget(): RerunBudget {
  return { left: RERUNS_PER_RUN, ms: QUIET_WAIT_MS };
}

/**
 * Runs a cell once the (shared) machine is quiet; while other work disturbed it anyway, runs it
 * again, within the budgets. Keeps the least disturbed attempt. `prepare` runs before every
 * attempt, ahead of the wait for quiet (a broker server emptied of the previous attempt's state).
 */
export async function leastDisturbed<R extends { otherLoad: number; attempts?: number; failed?: string }>(
  cell: () => Promise<R>,
  budget: RerunBudget,
  log: (line: string) => void,
  prepare?: () => Promise<void>,
): Promise<R> {
  await prepare?.();
  await waitForQuiet(DISTURBED_CORES, budget, log);
  let best = await cell();
  let attempts = 1;
  while (!best.failed && best.otherLoad > DISTURBED_CORES && attempts <= RERUNS_PER_CELL && budget.left > 0) {
    log(`  other processes used ${best.otherLoad.toFixed(2)} cores meanwhile; running it again`);
    budget.left--;
    attempts++;
    await prepare?.();
    await waitForQuiet(DISTURBED_CORES, budget, log);
    const next = await cell();
    if (!next.failed && next.otherLoad < best.otherLoad) best = next;
  }
  best.attempts = attempts;
  return best;
}
