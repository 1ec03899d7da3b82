import { withDefaults } from "../internal/options";
import type { Logger } from "../logger/logger";
import type { Context } from "../metadata/context";
import type { ServerRequest } from "../server/server";

/** How a rate limit or concurrency limit groups requests. */
export type LimitScope = "server" | "endpoint" | ((req: ServerRequest, ctx: Context) => string);

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests allowed per `durationSec` in each scope; default 100. */
  points: number;
  /** The window, in seconds; default 1. */
  durationSec: number;
  /** One budget for the whole server, one per endpoint (default), or one per key the function returns (a caller, a tenant). */
  per: LimitScope;
}

/** Defaults for {@link RateLimitOptions}. */
export const DEFAULT_RATE_LIMIT_OPTIONS: RateLimitOptions = { points: 100, durationSec: 1, per: "endpoint" };

/** Fills in defaults. */
export function resolveRateLimitOptions(partial: Partial<RateLimitOptions> = {}): RateLimitOptions {
  return withDefaults(DEFAULT_RATE_LIMIT_OPTIONS, partial);
}

/** Options of {@link concurrencyLimit}. */
export interface ConcurrencyLimitOptions {
  /** Requests in flight allowed in each scope; beyond it 503 `tsmicro.overloaded`; default 64. */
  maxInflight: number;
  /** One limit for the whole server or one per endpoint (default) or per returned key. */
  per: LimitScope;
}

/** Defaults for {@link ConcurrencyLimitOptions}. */
export const DEFAULT_CONCURRENCY_LIMIT_OPTIONS: ConcurrencyLimitOptions = { maxInflight: 64, per: "endpoint" };

/** Fills in defaults. */
export function resolveConcurrencyLimitOptions(partial: Partial<ConcurrencyLimitOptions> = {}): ConcurrencyLimitOptions {
  return withDefaults(DEFAULT_CONCURRENCY_LIMIT_OPTIONS, partial);
}

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Percentage of failed attempts in the window that opens a node's circuit; default 50. */
  errorThresholdPercentage: number;
  /** Attempts in the window before a circuit may open at all; default 5. */
  volumeThreshold: number;
  /** How long an open circuit keeps its node out before one trial attempt, ms; default 10000. */
  resetTimeoutMs: number;
  /** The statistics window, ms; default 10000. */
  rollingWindowMs: number;
  /** Which errors count as the node failing; default 5xx and connection errors, not 4xx or the client's own timeout. */
  isFailure: (error: unknown) => boolean;
  /** Nodes tracked at most (least recently used ones are forgotten); default 1024. */
  maxNodes: number;
}

/** Defaults for {@link CircuitBreakerOptions} (`isFailure` is filled in by the breaker itself). */
export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: Omit<CircuitBreakerOptions, "isFailure"> = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 10_000,
  rollingWindowMs: 10_000,
  maxNodes: 1024,
};

/** Options of the logging wrappers. */
export interface LoggingOptions {
  /** Level of the line for a success; default "info". Failures log at "warn" (4xx) or "error" (5xx). */
  level: "debug" | "info";
  /** Where lines go; default the request's `ctx.logger` for handlers (required for calls). */
  logger?: Logger;
}

/** Defaults for {@link LoggingOptions}. */
export const DEFAULT_LOGGING_OPTIONS: LoggingOptions = { level: "info" };

/** Fills in defaults. */
export function resolveLoggingOptions(partial: Partial<LoggingOptions> = {}): LoggingOptions {
  return withDefaults(DEFAULT_LOGGING_OPTIONS, partial);
}
