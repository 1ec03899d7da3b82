import { LOG_LEVELS, type LogLevel } from "./levels";
import type { LogFields, Logger } from "./logger";
import type { LogRecord, LogRing } from "./log-ring";

const rank = (level: string): number => LOG_LEVELS.indexOf(level as LogLevel);

/**
 * A logger that writes through to `inner` and keeps what it writes (at or above `level`) in a
 * ring buffer, so a running service can answer `Debug.Log` without a log shipper.
 */
export class RingLogger implements Logger {
  private readonly min: number;

  constructor(
    private readonly inner: Logger,
    private readonly ring: LogRing,
    level: LogLevel | string = "info",
    private readonly bound: LogFields = {},
  ) {
    this.min = rank(level) < 0 ? rank("info") : rank(level);
  }

  /** The minimum level kept (and, for the default logger, written). */
  get level(): string {
    return LOG_LEVELS[this.min]!;
  }

  debug(msg: string, fields?: LogFields): void {
    this.inner.debug(msg, fields);
    this.keep("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.inner.info(msg, fields);
    this.keep("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.inner.warn(msg, fields);
    this.keep("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.inner.error(msg, fields);
    this.keep("error", msg, fields);
  }
  child(fields: LogFields): Logger {
    return new RingLogger(this.inner.child(fields), this.ring, LOG_LEVELS[this.min], { ...this.bound, ...fields });
  }

  private keep(level: LogRecord["level"], msg: string, fields: LogFields | undefined): void {
    if (rank(level) < this.min) return;
    this.ring.push({ time: Date.now(), level, msg, fields: { ...this.bound, ...fields } });
  }
}
