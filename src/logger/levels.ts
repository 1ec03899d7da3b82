/** The log levels tsmicro accepts (pino's), most verbose first; "silent" turns logging off. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Returns `text` (trimmed, lower-cased) as a LogLevel, or throws an error listing the valid ones. */
export function parseLogLevel(text: string): LogLevel {
  const level = text.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new RangeError(`"${text}" is not a log level; use one of ${LOG_LEVELS.join(", ")}`);
}
