import type { LogFields } from "./logger";

/** One record kept for `Debug.Log`. */
export interface LogRecord {
  /** ms since the epoch. */
  time: number;
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  fields: LogFields;
}

/** Default number of records a service keeps for `Debug.Log`. */
export const LOG_RING_CAPACITY = 1000;

/**
 * The most recent log records of a process, bounded, for `Debug.Log`; listeners see new records
 * as they are written (`micro logs --follow`).
 */
export class LogRing {
  private readonly records: LogRecord[] = [];
  private start = 0;
  private readonly listeners = new Set<(record: LogRecord) => void>();

  constructor(readonly capacity = LOG_RING_CAPACITY) {}

  push(record: LogRecord): void {
    if (this.records.length < this.capacity) this.records.push(record);
    else {
      this.records[this.start] = record;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const listener of this.listeners) listener(record);
  }

  /** Up to `count` of the newest records written at or after `since` (ms), oldest first. */
  recent(count = this.capacity, since = 0): LogRecord[] {
    const ordered = [...this.records.slice(this.start), ...this.records.slice(0, this.start)];
    const matching = ordered.filter((r) => r.time >= since);
    return count >= matching.length ? matching : matching.slice(matching.length - count);
  }

  /** Calls `listener` for every new record until the returned function is called. */
  follow(listener: (record: LogRecord) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
