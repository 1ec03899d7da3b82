import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { ErrorIds, MicroError } from "../errors";
import type { HandlerWrapper } from "../server/server";
import { resolveRateLimitOptions, type RateLimitOptions } from "./options";
import { scopeKey } from "./scope";

/**
 * A handler wrapper that answers 429 `tsmicro.rate_limited` once a scope (the server, each
 * endpoint, or a key of yours) has used its `points` in the current `durationSec` window. Give it
 * before validation-sensitive wrappers; it runs before validation like every wrapper.
 */
export function rateLimit(options: Partial<RateLimitOptions> = {}): HandlerWrapper {
  const o = resolveRateLimitOptions(options);
  const limiter = new RateLimiterMemory({ points: o.points, duration: o.durationSec });
  return (next) => async (req, ctx) => {
    const key = scopeKey(o.per, req, ctx);
    try {
      await limiter.consume(key);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw new MicroError(
        ErrorIds.rateLimited,
        429,
        `rate limit of ${o.points} per ${o.durationSec}s exceeded for ${key === "*" ? "this server" : key}; retry in ${Math.ceil(res.msBeforeNext)}ms`,
      );
    }
    return next(req, ctx);
  };
}
