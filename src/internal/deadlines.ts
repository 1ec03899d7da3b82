import { clampDelay } from "./timers";

/** One wait in a {@link DeadlineQueue}: `expire` runs at `at` unless it was settled first. */
export interface Deadline {
  /** When it expires (ms since the epoch). */
  readonly at: number;
  readonly expire: () => void;
  settled: boolean;
  next?: Deadline;
  /** Its own timer, when it could not join the list. */
  own?: NodeJS.Timeout;
}

/** Below this many entries the list is never compacted: walking it would cost more than it frees. */
const COMPACT_MIN = 32;

/**
 * Many short waits on one timer. Deadlines of the same budget arrive in order, so they sit in a
 * FIFO list and only the oldest unsettled one has a timer; settled ones leave from the front. A
 * deadline earlier than the newest one (a smaller budget) gets its own timer instead. Why: a `setTimeout` plus a `Promise.race` per publish was a tenth of a NATS
 * publisher's CPU, and a timer per call a few percent of every client and server.
 *
 * Settled entries behind an unsettled head (one slow call) are removed by compacting the list
 * once more than half of it is settled, so the list holds at most about twice the live entries.
 */
export class DeadlineQueue {
  private head?: Deadline;
  private tail?: Deadline;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  /** Entries in the list, and how many of them are settled. */
  private length = 0;
  private settledInList = 0;

  /** Entries held in the list (settled ones not yet removed included); for tests and metrics. */
  get size(): number {
    return this.length;
  }

  /** Calls `expire` after `ms` unless {@link settle} is called first. */
  add(ms: number, expire: () => void): Deadline {
    const delay = clampDelay(ms);
    const at = Date.now() + delay;
    const tail = this.tail;
    if (tail !== undefined && at < tail.at) {
      const own: Deadline = { at, expire, settled: false };
      own.own = setTimeout(() => {
        if (own.settled) return;
        own.settled = true;
        expire();
      }, delay);
      return own;
    }
    const d: Deadline = { at, expire, settled: false, next: undefined, own: undefined };
    if (tail === undefined) this.head = d;
    else tail.next = d;
    this.tail = d;
    this.length++;
    if (this.timer === undefined) this.arm();
    return d;
  }

  /** Marks `d` as done: its `expire` will not run. */
  settle(d: Deadline): void {
    if (d.settled) return;
    d.settled = true;
    if (d.own !== undefined) {
      clearTimeout(d.own);
      return;
    }
    this.settledInList++;
    if (d === this.head) this.dropSettled();
    else if (this.settledInList > this.length >> 1 && this.length >= COMPACT_MIN) this.compact();
  }

  private dropSettled(): void {
    let head = this.head;
    while (head !== undefined && head.settled) {
      head = head.next;
      this.length--;
      this.settledInList--;
    }
    this.head = head;
    if (head === undefined) {
      this.tail = undefined;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
    }
  }

  /** Unlinks every settled entry (the head is unsettled here, or dropSettled would have run). */
  private compact(): void {
    this.dropSettled();
    let prev = this.head;
    if (prev === undefined) return;
    for (let d = prev.next; d !== undefined; d = d.next) {
      if (d.settled) {
        this.length--;
        this.settledInList--;
      } else {
        prev.next = d;
        prev = d;
      }
    }
    prev.next = undefined;
    this.tail = prev;
  }

  private arm(): void {
    const head = this.head;
    if (head === undefined || head.at >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = head.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, head.at - Date.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    while (this.head !== undefined && (this.head.settled || this.head.at <= now)) {
      const d = this.head;
      this.head = d.next;
      // An `expire` that adds a deadline must find an empty list empty, not append to `d`.
      if (this.head === undefined) this.tail = undefined;
      this.length--;
      if (d.settled) {
        this.settledInList--;
        continue;
      }
      d.settled = true;
      d.expire();
    }
    if (this.head === undefined) this.tail = undefined;
    else this.arm();
  }
}
