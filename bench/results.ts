import type { Op } from "./payloads";
import type { Family, LimitId } from "./systems";
import type { StreamMode } from "./systems/stream-types";

/** What every measured cell reports besides its rate. */
export interface CellOutcome {
  serverRssMb: number;
  clientRssMb: number;
  errors: number;
  wrong: number;
  firstProblem?: string;
  /** Cores' worth of CPU that other processes on the machine used during the window. */
  otherLoad: number;
  /**
   * Cores each benchmark process kept busy during the window (CPU seconds ÷ window seconds):
   * a cell whose processes stay well under one core each is bound by latency, not by CPU.
   */
  coresBusy?: { client: number; server: number };
  /** How many times the cell ran (it is rerun when other work disturbed it). */
  attempts?: number;
  /** With `--repeat`: the rate of every round, in order; the row itself is the median round. */
  rounds?: number[];
  /** Set when the scenario could not run at all. */
  failed?: string;
}

/** One RPC system in one scenario (payload × concurrency). */
export interface RpcRow extends CellOutcome {
  system: string;
  label: string;
  family: Family;
  limit: LimitId;
  op: Op;
  concurrency: number;
  /** Correct responses per second in the window. */
  rps: number;
  p50Us: number;
  p99Us: number;
  /** Client + server (+ nats-server for NATS rows) CPU seconds per 10k requests. */
  cpuPer10k: number;
  /** The parts of cpuPer10k: load generator, server, nats-server. */
  cpuSplit?: { client: number; server: number; nats: number };
}

/** One pub/sub system. */
export interface PubSubRow {
  system: string;
  label: string;
  family: Family;
  /** Events the publisher sent (fewer than asked for a slow system or at the deadline). */
  published: number;
  /** Publishes that failed at the publisher. */
  publishErrors: number;
  firstError?: string;
  received: number;
  distinct: number;
  /** Sent without an error but never received. */
  lost: number;
  duplicates: number;
  wrong: number;
  /** Distinct events received per second, from the first publish to the last delivery. */
  eventsPerSec: number;
  /** Publisher + subscriber (+ nats-server) CPU seconds per 10k events. */
  cpuPer10k: number;
  publisherRssMb: number;
  subscriberRssMb: number;
  /** Cores' worth of CPU that other processes on the machine used meanwhile. */
  otherLoad: number;
  attempts?: number;
  /** With `--repeat`: events/s of every round, in order; the row itself is the median round. */
  rounds?: number[];
  failed?: string;
}

/** One streaming system in one scenario. */
export interface StreamRow extends CellOutcome {
  system: string;
  label: string;
  family: Family;
  mode: StreamMode;
  /** Correct stream messages received per second in the window. */
  mps: number;
  /** Client + server CPU seconds per 10k messages. */
  cpuPer10k: number;
}

/** A system that was not run, and why. */
export interface Skipped {
  label: string;
  reason: string;
}

/** Everything one run produced. */
export interface RunResults {
  startedAt: string;
  durationS: number;
  machine: { cpus: number; model: string; node: string; os: string };
  settings: {
    warmupS: number;
    windowS: number;
    concurrency: number[];
    events: number;
    /** Rounds per cell (absent in runs from before `--repeat`). */
    repeat?: number;
  };
  rpc: RpcRow[];
  pubsub: PubSubRow[];
  /** The stream rows (absent in runs from before they existed). */
  stream?: StreamRow[];
  skipped: Skipped[];
}
