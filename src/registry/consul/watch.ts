import type { Logger } from "../../logger/logger";
import type { ServiceRecord, WatchEvent } from "../registry";
import type { AgentClient } from "./agent-client";
import { nodesOf } from "./records";

/** What a watch needs besides the client. */
export interface WatchContext {
  client: AgentClient;
  retryBaseMs: number;
  retryMaxMs: number;
  logger?: Logger;
  /** Called when the agent answers again after failing (it may have lost our registrations). */
  onRecovered: () => void;
}

/** Delay before retry number `attempt` (1-based): doubling from `baseMs`, capped at `maxMs`. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(attempt - 1, 30), maxMs);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Follows one service's healthy instances with blocking queries and reports the difference
 * between consecutive answers as create/update/delete events, one node per event. While the agent
 * is unreachable it reports nothing (the last answer stands) and retries with backoff; after an
 * error it asks for the current state (index 0), because a restarted agent's index starts over.
 */
export class ServiceWatch {
  private known = new Map<string, { record: ServiceRecord; json: string }>();
  private index = 0;
  private failures = 0;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly ctx: WatchContext,
    readonly service: string,
    private readonly emit: (e: WatchEvent) => void,
  ) {}

  /** Takes the current state (silently when `baseline`, else as create events) and starts following. */
  async start(baseline: boolean): Promise<void> {
    try {
      const r = await this.ctx.client.healthService(this.service, { index: 0, signal: this.abort.signal });
      this.index = r.index;
      this.apply(nodesOf(this.service, r.body), baseline);
    } catch (err) {
      this.failed(err);
    }
    this.loop = this.run();
  }

  /** Stops following; the request in flight is aborted. Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.failures > 0) await pause(retryDelay(this.failures, this.ctx.retryBaseMs, this.ctx.retryMaxMs), signal);
      if (signal.aborted) return;
      try {
        const asked = this.index;
        const r = await this.ctx.client.healthService(this.service, { index: asked, signal });
        if (signal.aborted) return;
        if (this.failures > 0) {
          this.failures = 0;
          this.ctx.logger?.info("consul watch resumed", { service: this.service, agent: this.ctx.client.address });
          this.ctx.onRecovered();
        }
        // Consul's rule: an index that went backwards means the agent's state was reset; start over from 0.
        this.index = r.index < asked ? 0 : r.index;
        this.apply(nodesOf(this.service, r.body), false);
        // An answer without progress (a wait that ran out) needs no pause; one that returns at once every time would spin.
        if (asked > 0 && r.index === asked) await pause(this.ctx.retryBaseMs, signal);
      } catch (err) {
        if (signal.aborted) return;
        this.failed(err);
      }
    }
  }

  private failed(err: unknown): void {
    if (this.failures === 0) this.ctx.logger?.warn("consul watch failed; keeping the last known nodes and retrying", { service: this.service, error: String(err) });
    this.failures += 1;
    this.index = 0;
  }

  private apply(next: Map<string, ServiceRecord>, silent: boolean): void {
    const events: WatchEvent[] = [];
    for (const [id, old] of this.known) if (!next.has(id)) events.push({ action: "delete", service: old.record });
    const known = new Map<string, { record: ServiceRecord; json: string }>();
    for (const [id, record] of next) {
      const json = JSON.stringify(record);
      const old = this.known.get(id);
      if (!old) events.push({ action: "create", service: record });
      else if (old.json !== json) events.push({ action: "update", service: record });
      known.set(id, { record, json });
    }
    this.known = known;
    if (!silent) for (const e of events) this.emit(e);
  }
}

/**
 * Follows every service: a blocking query on the catalog's service list starts one
 * {@link ServiceWatch} per service name it sees.
 */
export class CatalogWatch {
  private readonly watches = new Map<string, ServiceWatch>();
  private index = 0;
  private failures = 0;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly ctx: WatchContext,
    private readonly emit: (e: WatchEvent) => void,
  ) {}

  /** Takes the current services silently and starts following. */
  async start(): Promise<void> {
    try {
      const r = await this.ctx.client.catalogServices({ index: 0, signal: this.abort.signal });
      this.index = r.index;
      await this.follow(Object.keys(r.body), true);
    } catch {
      this.failures = 1;
    }
    this.loop = this.run();
  }

  /** Stops this watch and every per-service watch. Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.failures > 0) await pause(retryDelay(this.failures, this.ctx.retryBaseMs, this.ctx.retryMaxMs), signal);
      if (signal.aborted) return;
      try {
        const asked = this.index;
        const r = await this.ctx.client.catalogServices({ index: asked, signal });
        if (signal.aborted) return;
        this.failures = 0;
        this.index = r.index < asked ? 0 : r.index;
        await this.follow(Object.keys(r.body), false);
        if (asked > 0 && r.index === asked) await pause(this.ctx.retryBaseMs, signal);
      } catch {
        if (signal.aborted) return;
        this.failures += 1;
        this.index = 0;
      }
    }
  }

  /** Starts a watch for each new name; services that vanish keep theirs, which reports their deletes. */
  private async follow(names: string[], baseline: boolean): Promise<void> {
    for (const name of names) {
      if (this.watches.has(name) || this.abort.signal.aborted) continue;
      const w = new ServiceWatch(this.ctx, name, this.emit);
      this.watches.set(name, w);
      await w.start(baseline);
    }
  }
}
