import { ErrorIds, serviceUnavailable } from "../errors";
import type { HandlerWrapper } from "../server/server";
import { resolveConcurrencyLimitOptions, type ConcurrencyLimitOptions } from "./options";
import { scopeKey } from "./scope";

/**
 * A handler wrapper that refuses a request with 503 `tsmicro.overloaded` while `maxInflight`
 * requests of its scope (each endpoint by default) are running. The refusal happens before the
 * handler, so clients retry it on another node. The server's own limit (`maxInflight` option,
 * default 1024) applies before this one.
 */
export function concurrencyLimit(options: Partial<ConcurrencyLimitOptions> = {}): HandlerWrapper {
  const o = resolveConcurrencyLimitOptions(options);
  const running = new Map<string, number>();
  return (next) => (req, ctx) => {
    const key = scopeKey(o.per, req, ctx);
    const n = running.get(key) ?? 0;
    if (n >= o.maxInflight) {
      return Promise.reject(serviceUnavailable(`${key === "*" ? "this server" : key} has ${o.maxInflight} requests in flight; try another node`, ErrorIds.overloaded));
    }
    running.set(key, n + 1);
    const done = (): void => {
      const left = (running.get(key) ?? 1) - 1;
      // Deleted at zero, so per-caller keys do not accumulate.
      if (left > 0) running.set(key, left);
      else running.delete(key);
    };
    let result: Promise<unknown>;
    try {
      result = next(req, ctx);
    } catch (err) {
      done();
      throw err;
    }
    return result.finally(done);
  };
}
