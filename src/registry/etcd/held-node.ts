import { LeaseState, type Etcd3, type Lease } from "etcd3";
import { clampDelay } from "../../internal/timers";
import type { Logger } from "../../logger/logger";

/** What a {@link HeldNode} needs besides its key. */
export interface HeldNodeDeps {
  client: () => Etcd3;
  /** First delay before restoring a lost registration, ms. */
  retryMinMs: number;
  /** Largest delay between restore attempts, ms. */
  retryMaxMs: number;
  logger?: Logger;
}

/**
 * Keeps one node key in etcd: its value on a lease of the registration TTL. Each `set` is a
 * renewal (one keepalive, as go-micro's re-register does), so a node whose process stops
 * renewing expires after its TTL. When a renewal or put fails (etcd away) or etcd says the
 * lease is gone, the put is retried in the background with capped exponential backoff until it
 * succeeds or the node is removed, so the registration comes back as soon as etcd does.
 * Operations on one key run one at a time.
 */
export class HeldNode {
  private lease?: Lease;
  private value = "";
  private ttlSec = 0;
  private leaseTtlSec = 0;
  private done = false;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private queue: Promise<unknown> = Promise.resolve();

  /** `after`: the removal of the key's previous holder, which must finish before this one puts. */
  constructor(
    readonly key: string,
    private readonly deps: HeldNodeDeps,
    after?: Promise<unknown>,
  ) {
    this.retryDelayMs = deps.retryMinMs;
    if (after) this.queue = after.catch(() => undefined);
  }

  /**
   * Puts `value` under the key on a lease of `ttlSec` (0: no lease), or renews the lease when
   * etcd already holds exactly that. On failure a background retry is scheduled.
   */
  set(value: string, ttlSec: number): Promise<void> {
    this.value = value;
    this.ttlSec = ttlSec;
    const run = this.serially(() => this.put());
    run.then(
      () => this.settled(),
      () => this.scheduleRestore(),
    );
    return run;
  }

  /** Stops keeping the key (no more renewals or restores) and deletes it; the lease is revoked best-effort. */
  remove(): Promise<void> {
    this.stopRenewing();
    return this.serially(async () => {
      const lease = this.lease;
      this.lease = undefined;
      await this.deps.client().delete().key(this.key).exec();
      await lease?.revoke().catch(() => undefined);
    });
  }

  /** Stops renewals and restores without touching etcd: the key lives until its lease runs out. */
  release(): void {
    this.stopRenewing();
    this.lease?.release();
    this.lease = undefined;
  }

  private stopRenewing(): void {
    this.done = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Makes etcd hold `value` under the key on a live lease of `ttlSec` (the latest `set`). */
  private async put(): Promise<void> {
    if (this.done) return;
    const { value, ttlSec } = this;
    const client = this.deps.client();
    const lease = this.lease;
    if (lease && ttlSec > 0 && lease.state !== LeaseState.Revoked && this.leaseTtlSec === ttlSec) {
      // Renewal: one keepalive, and a look at the key, which may be gone even though the lease is
      // not (deleted by hand, or etcd restarted from an empty data dir). A lease etcd no longer
      // knows makes keepaliveOnce fail and marks it revoked; a new one is granted below.
      const [alive, current] = await Promise.all([lease.keepaliveOnce().then(() => true, (err: unknown) => (lease.revoked() ? false : Promise.reject(err))), client.get(this.key).exec()]);
      if (alive) {
        const kv = current.kvs[0];
        if (kv && kv.lease === (await lease.grant()) && kv.value.toString() === value) return;
        await lease.put(this.key).value(value).exec();
        return;
      }
    }
    if (ttlSec > 0) {
      const fresh = client.lease(ttlSec, { autoKeepAlive: false });
      try {
        await fresh.put(this.key).value(value).exec();
      } catch (err) {
        fresh.release();
        throw err;
      }
      this.swapLease(fresh, ttlSec);
    } else {
      await client.put(this.key).value(value).exec();
      this.swapLease(undefined, 0);
    }
  }

  private swapLease(next: Lease | undefined, ttlSec: number): void {
    const old = this.lease;
    this.lease = next;
    this.leaseTtlSec = ttlSec;
    // The key now belongs to the new lease, so revoking the old one deletes nothing.
    if (old && old !== next) void old.revoke().catch(() => undefined);
  }

  /** After a successful put: no restore pending, the next failure starts from the shortest delay. */
  private settled(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryDelayMs = this.deps.retryMinMs;
  }

  private scheduleRestore(): void {
    if (this.done || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.serially(() => this.put()).then(
        () => {
          if (!this.done) this.deps.logger?.info("etcd registration restored", { key: this.key });
          this.settled();
        },
        () => {
          this.retryDelayMs = Math.min(this.deps.retryMaxMs, this.retryDelayMs * 2);
          this.scheduleRestore();
        },
      );
    }, clampDelay(this.retryDelayMs));
    this.retryTimer.unref();
  }
}
