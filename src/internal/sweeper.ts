import { clampDelay } from "./timers";

/** Something a {@link Sweeper} checks on every pass. */
export interface Sweepable {
  /** Called on every pass with the current time in ms; closes whatever has expired. */
  sweep(now: number): void;
}

/**
 * One coarse interval timer checking many connections' deadlines, so the hot path only
 * records state and never arms or refreshes a timer. Deadlines fire up to one interval late.
 * The timer runs only while something is tracked and never keeps the process alive.
 */
export class Sweeper {
  private readonly entries = new Set<Sweepable>();
  private timer?: NodeJS.Timeout;

  /** `intervalMs` is how often to check; `now` is the clock, in ms. */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The interval for deadlines as short as `shortestMs`: a quarter of it, between 10 ms and 1 s. */
  static intervalFor(shortestMs: number): number {
    return Math.min(1000, Math.max(10, Math.floor(shortestMs / 4)));
  }

  /** The number of tracked entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Tracks `entry` until {@link delete}. */
  add(entry: Sweepable): void {
    this.entries.add(entry);
    if (this.timer === undefined) {
      this.timer = setInterval(this.pass, clampDelay(this.intervalMs));
      this.timer.unref();
    }
  }

  /** Stops tracking `entry`. */
  delete(entry: Sweepable): void {
    this.entries.delete(entry);
    if (this.entries.size === 0) this.stop();
  }

  /** Checks every entry now. */
  readonly pass = (): void => {
    const now = this.now();
    for (const entry of this.entries) entry.sweep(now);
  };

  /** Stops the timer (entries stay tracked until deleted; a later `add` restarts it). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
