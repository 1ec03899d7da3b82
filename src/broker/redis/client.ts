import type { Redis, RedisOptions } from "ioredis";
import { serviceUnavailable } from "../../errors";
import { clampDelay } from "../../internal/timers";
import type { ResolvedRedisBrokerOptions } from "./options";

/** A connected ioredis client. */
export type RedisClient = Redis;

/**
 * Opens one connection to the broker's Redis, waiting (bounded) until it is ready. After a drop
 * it reconnects forever with a doubling, capped delay; each loss is logged once, as is the
 * recovery. ioredis is imported here, when a Redis broker connects, never before.
 */
export async function openClient(o: ResolvedRedisBrokerOptions, role: string, extra: RedisOptions = {}): Promise<RedisClient> {
  let Ctor: typeof Redis;
  try {
    Ctor = await loadIoredis();
  } catch (err) {
    throw serviceUnavailable(`redis broker: the ioredis package is missing (run: npm install ioredis): ${String(err)}`);
  }
  const client = new Ctor(o.url, {
    lazyConnect: true,
    connectTimeout: o.connectTimeoutMs,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(o.reconnectMaxMs, o.reconnectInitialMs * 2 ** Math.min(times - 1, 20)),
    ...extra,
  });
  let down = false;
  client.on("error", (err: Error) => {
    if (down) return;
    down = true;
    o.logger?.warn("redis broker: connection lost, reconnecting", { role, url: redacted(o.url), error: err.message });
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    o.logger?.info("redis broker: reconnected", { role, url: redacted(o.url) });
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${o.connectTimeoutMs} ms`)), clampDelay(o.connectTimeoutMs)))),
    ]);
  } catch (err) {
    client.disconnect();
    throw serviceUnavailable(`redis broker: cannot reach ${redacted(o.url)}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** Loads ioredis (the provider table calls it up front, so a missing package gets its `npm install` hint). */
export async function loadIoredis(): Promise<typeof Redis> {
  return (await import("ioredis")).Redis;
}

/** The URL without its password, for logs and errors. */
export function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
