import { isatty } from "node:tty";
import pino from "pino";
import { concreteLogFormat, type LogFormat } from "./format";
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
  /** `json`, `pretty` (pino-pretty, loaded only then) or `auto` (pretty when `fd` is a TTY); default "auto". */
  format?: LogFormat;
}

/** The default logger: pino on stderr, JSON lines for machines and coloured lines on a terminal. */
export class PinoLogger implements Logger {
  private readonly log: pino.Logger;

  constructor(options: PinoLoggerOptions | pino.Logger = {}) {
    if (isPino(options)) {
      this.log = options;
      return;
    }
    // Checked here, or pino throws from deep inside itself on an unknown level.
    const level = parseLogLevel(options.level ?? "info");
    const fd = options.fd ?? 2;
    const pretty = concreteLogFormat(options.format ?? "auto", isatty(fd)) === "pretty";
    this.log = pino({ level, base: { pid: process.pid } }, pretty ? prettyStream(fd) : pino.destination({ fd, sync: true }));
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

interface PrettyOptions {
  destination: number;
  sync: boolean;
  colorize: boolean;
  translateTime: string;
  ignore: string;
  singleLine: boolean;
}

/** pino-pretty's stream, loaded only when a terminal asks for it (JSON needs none of it). */
function prettyStream(fd: number): pino.DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, synchronously: the logger is built synchronously
  const build = require("pino-pretty") as (o: PrettyOptions) => pino.DestinationStream;
  return build({ destination: fd, sync: true, colorize: isatty(fd), translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service,node", singleLine: true });
}
