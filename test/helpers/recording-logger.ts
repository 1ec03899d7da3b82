import type { LogFields, Logger } from "../../src/logger/logger";

/** One line a RecordingLogger received. */
export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  fields: LogFields;
}

/** A Logger that keeps every line (children share the parent's list), for assertions. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bound: LogFields = {},
  ) {}

  debug(msg: string, fields?: LogFields): void {
    this.lines.push({ level: "debug", msg, fields: { ...this.bound, ...fields } });
  }
  info(msg: string, fields?: LogFields): void {
    this.lines.push({ level: "info", msg, fields: { ...this.bound, ...fields } });
  }
  warn(msg: string, fields?: LogFields): void {
    this.lines.push({ level: "warn", msg, fields: { ...this.bound, ...fields } });
  }
  error(msg: string, fields?: LogFields): void {
    this.lines.push({ level: "error", msg, fields: { ...this.bound, ...fields } });
  }
  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.bound, ...fields });
  }
}
