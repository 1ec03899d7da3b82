import type { SystemEnv } from "./systems/types";
import type { Op } from "./payloads";
import type { StreamMode } from "./systems/stream-types";

// Messages between the harness (parent) and the processes it forks. Each child gets its
// configuration as one JSON argument and talks over the IPC channel.

/** CPU time (user + system) and peak RSS of one process. */
export interface Usage {
  cpuUs: number;
  maxRssKb: number;
}

/** What every child is started with. */
export interface ChildConfig {
  system: string;
  env: SystemEnv;
  /** Subscriber: how many events to expect. */
  count?: number;
  /** Publisher: what the subscriber reported in its `ready` message. */
  info?: unknown;
}

/** What the load generator is told to do. */
export interface RunCommand {
  type: "run";
  address: string;
  op: Op;
  concurrency: number;
  warmupMs: number;
  windowMs: number;
}

/** What the stream generator is told to do: streams of `batch` messages, one after another. */
export interface StreamRunCommand {
  type: "stream-run";
  address: string;
  mode: StreamMode;
  batch: number;
  warmupMs: number;
  windowMs: number;
}

/** What the load generator measured. */
export interface LoadResult {
  /** Correct responses completed in the window. */
  completed: number;
  /** Calls that failed in the window. */
  errors: number;
  /** Responses in the window that were not the right answer. */
  wrong: number;
  /** The first failure or wrong answer, for the report. */
  firstProblem?: string;
  windowMs: number;
  p50Us: number;
  p99Us: number;
  /** The client's CPU over the window and its peak RSS. */
  usage: Usage;
}

/** What the subscriber has seen so far. */
export interface Progress {
  received: number;
  distinct: number;
  duplicates: number;
  wrong: number;
  /** hrtime (ms) of the last event received; 0 before the first. */
  lastAtMs: number;
}

/** What the publisher did. */
export interface Published {
  published: number;
  errors: number;
  firstError?: string;
  /** hrtime (ms) when publishing began and ended. */
  startAtMs: number;
  endAtMs: number;
}

/** Parent → child. */
export type ParentMessage =
  | { type: "usage" }
  | RunCommand
  | StreamRunCommand
  | { type: "progress" }
  | { type: "publish"; count: number; batch: number; deadlineMs: number };

/** Child → parent. */
export type ChildMessage =
  | { type: "ready"; address?: string; info?: unknown }
  | { type: "failed"; error: string }
  | { type: "usage"; usage: Usage }
  | { type: "mark"; edge: "start" | "end" }
  | { type: "result"; result: LoadResult }
  | { type: "progress"; progress: Progress }
  | { type: "published"; published: Published };

/** A monotonic clock in ms that is comparable between processes of one machine (CLOCK_MONOTONIC). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
