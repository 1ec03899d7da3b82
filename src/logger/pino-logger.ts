import pino from "pino";
import { parseLogLevel, type LogLevel } from "./levels";
import type { LogFields, Logger } from "./logger";

/** Options for {@link PinoLogger}. */
export interface PinoLoggerOptions {
  /**
   * Minimum level, one of `LOG_LEVELS`; default "info". Services and clients pass the resolved
   * `logLevel` setting (`MICRO_LOG_LEVEL` / `--log_level`); the constructor reads no environment.
   */
  level?: LogLevel | string;
  /** File descriptor to write JSON lines to; default 2 (stderr) so stdout stays the program's. */
  fd?: number;
}

/** The default logger: pino, JSON lines on stderr. */
export class PinoLogger implements Logger {
  private readonly log: pino.Logger;

  constructor(options: PinoLoggerOptions | pino.Logger = {}) {
    if (isPino(options)) {
      this.log = options;
      return;
    }
    // Checked here, or pino throws from deep inside itself on an unknown level.
    const level = parseLogLevel(options.level ?? "info");
    this.log = pino({ level, base: { pid: process.pid } }, pino.destination({ fd: options.fd ?? 2, sync: true }));
  }

  /** The minimum level this logger writes. */
  get level(): string {
    return this.log.level;
  }

  debug(msg: string, fields?: LogFields): void {
    this.log.debug(fields ?? {}, msg);
  }
  info(msg: string, fields?: LogFields): void {
    this.log.info(fields ?? {}, msg);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log.warn(fields ?? {}, msg);
  }
  error(msg: string, fields?: LogFields): void {
    this.log.error(fields ?? {}, msg);
  }
  child(fields: LogFields): Logger {
    return new PinoLogger(this.log.child(fields));
  }
}

function isPino(v: unknown): v is pino.Logger {
  return typeof v === "object" && v !== null && typeof (v as pino.Logger).child === "function";
}
