/** How the default logger writes: `json` lines, `pretty` coloured lines, or `auto` (pretty on a TTY). */
export const LOG_FORMATS = ["auto", "json", "pretty"] as const;

/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Returns `text` as a LogFormat, or throws an error listing the valid ones. */
export function parseLogFormat(text: string): LogFormat {
  const format = text.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new RangeError(`"${text}" is not a log format; use one of ${LOG_FORMATS.join(", ")}`);
}

/** `auto` made concrete: pretty when the log goes to a terminal, JSON for machines. */
export function concreteLogFormat(format: LogFormat, isTTY: boolean): "json" | "pretty" {
  return format === "auto" ? (isTTY ? "pretty" : "json") : format;
}
