import type { Logger } from "./logger";

/** A logger that drops everything; for tests and embedding, and the default where none is given. */
export class SilentLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  child(): Logger {
    return this;
  }
}
