import type { LogFields, Logger } from "../logger/logger";
import { clampDelay } from "./timers";

/** How many warnings a {@link WarningLimiter} lets through. */
export interface WarningLimiterOptions {
  /** Warnings logged per window; the rest are counted. */
  perWindow: number;
  /** The window, in ms. */
  windowMs: number;
  /** The clock, in ms; default `Date.now` (tests inject their own). */
  now?: () => number;
  /**
   * Runs `fn` after `ms` and returns a canceller; default an unref'd `setTimeout`. It reports
   * what a window suppressed even when no warning follows it.
   */
  schedule?: (fn: () => void, ms: number) => () => void;
}

function unrefTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, clampDelay(ms));
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * Lets the first `perWindow` warnings of each window through and counts the rest, then logs
 * one "suppressed N similar warnings" line for the window, so a peer that misbehaves on
 * purpose cannot decide how much is written to the log.
 */
export class WarningLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private logged = 0;
  private suppressed = 0;
  private cancel?: () => void;
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, ms: number) => () => void;

  constructor(
    private readonly write: (msg: string, fields?: LogFields) => void,
    private readonly options: WarningLimiterOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? unrefTimer;
  }

  /** Logs `msg` unless this window's share is used up. */
  warn(msg: string, fields?: LogFields): void {
    if (this.admit()) this.write(msg, fields);
  }

  /** True when one more warning may be logged now; otherwise counts it as suppressed. */
  admit(): boolean {
    const t = this.now();
    if (t - this.windowStart >= this.options.windowMs) {
      this.flush();
      this.windowStart = t;
      this.logged = 0;
    }
    if (this.logged < this.options.perWindow) {
      this.logged++;
      return true;
    }
    if (this.suppressed++ === 0) this.cancel = this.schedule(() => this.flush(), this.windowStart + this.options.windowMs - t);
    return false;
  }

  /** Logs how many warnings were suppressed since the last report, if any. */
  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.write(`suppressed ${count} similar warnings`, { suppressed: count, windowMs: this.options.windowMs });
  }
}

/** The defaults for warnings caused by peers: 10 a minute. */
export const PEER_WARNINGS: Readonly<WarningLimiterOptions> = Object.freeze({ perWindow: 10, windowMs: 60_000 });

/** `logger` with its `warn` lines rate-limited by one shared {@link WarningLimiter}. */
export function limitWarnings(logger: Logger, options: WarningLimiterOptions = PEER_WARNINGS): Logger {
  const limiter = new WarningLimiter((msg, fields) => logger.warn(msg, fields), options);
  const wrap = (inner: Logger): Logger => ({
    debug: (msg, fields) => inner.debug(msg, fields),
    info: (msg, fields) => inner.info(msg, fields),
    warn: (msg, fields) => {
      if (limiter.admit()) inner.warn(msg, fields);
    },
    error: (msg, fields) => inner.error(msg, fields),
    child: (fields) => wrap(inner.child(fields)),
  });
  return wrap(logger);
}
