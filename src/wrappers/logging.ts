import type { CallWrapper } from "../client/client";
import { toMicroError } from "../errors";
import type { Logger } from "../logger/logger";
import type { HandlerWrapper } from "../server/server";
import { resolveLoggingOptions, type LoggingOptions } from "./options";

function outcome(logger: Logger, level: LoggingOptions["level"], msg: string, fields: Record<string, unknown>, err?: unknown): void {
  if (err === undefined) return void logger[level](msg, fields);
  const e = toMicroError(err, err instanceof Error ? err.message : String(err));
  const failed = { ...fields, error: { id: e.id, code: e.code, detail: e.detail } };
  if (e.code >= 500) logger.error(`${msg} failed`, failed);
  else logger.warn(`${msg} failed`, failed);
}

/**
 * A handler wrapper that logs one line per request: endpoint, caller, duration and outcome
 * (success at `level`, 4xx at warn, 5xx at error).
 */
export function loggingHandlerWrapper(options: Partial<LoggingOptions> = {}): HandlerWrapper {
  const o = resolveLoggingOptions(options);
  return (next) => async (req, ctx) => {
    const started = performance.now();
    const fields = (): Record<string, unknown> => ({ endpoint: req.endpoint, caller: ctx.caller, ms: Math.round((performance.now() - started) * 10) / 10 });
    const logger = o.logger ?? ctx.logger;
    try {
      const result = await next(req, ctx);
      outcome(logger, o.level, "handled", fields());
      return result;
    } catch (err) {
      outcome(logger, o.level, "handled", fields(), err);
      throw err;
    }
  };
}

/** A call wrapper that logs one line per call (retries included): service, endpoint, duration and outcome. */
export function loggingCallWrapper(options: Partial<LoggingOptions> & { logger: Logger }): CallWrapper {
  const o = resolveLoggingOptions(options);
  const logger = options.logger;
  return (next) => async (req, opts) => {
    const started = performance.now();
    const fields = (): Record<string, unknown> => ({ service: req.service, endpoint: req.endpoint, ms: Math.round((performance.now() - started) * 10) / 10 });
    try {
      const result = await next(req, opts);
      outcome(logger, o.level, "called", fields());
      return result;
    } catch (err) {
      outcome(logger, o.level, "called", fields(), err);
      throw err;
    }
  };
}
