import pino from "pino";
import type { LogFields, Logger } from "./logger";

/** Options for {@link PinoLogger}. */
export interface PinoLoggerOptions {
  /** Minimum level: "debug" | "info" | "warn" | "error" | "silent"; default `MICRO_LOG_LEVEL` or "info". */
  level?: string;
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
    const level = options.level ?? process.env.MICRO_LOG_LEVEL ?? "info";
    this.log = pino({ level, base: { pid: process.pid } }, pino.destination({ fd: options.fd ?? 2, sync: true }));
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

/** A logger that drops everything; for tests and embedding. */
export class SilentLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  child(): Logger {
    return this;
  }
}
