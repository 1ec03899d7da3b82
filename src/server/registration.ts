import { clampDelay } from "../internal/timers";
import type { Logger } from "../logger/logger";
import type { Registry, ServiceRecord } from "../registry/registry";

/**
 * Keeps one service record registered: registers, renews on an interval, deregisters. A
 * registry outage is logged once when a renewal first fails and once when one succeeds again,
 * not on every interval in between.
 */
export class Registration {
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly registry: Registry,
    private readonly record: () => ServiceRecord,
    private readonly ttlMs: number,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.registry.register(this.record(), { ttlMs: this.ttlMs });
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => this.renew(), clampDelay(this.intervalMs));
      this.timer.unref();
    }
  }

  private renew(): void {
    this.registry.register(this.record(), { ttlMs: this.ttlMs }).then(
      () => {
        if (this.failing) this.logger.info("re-registration succeeded again", { registry: this.registry.name });
        this.failing = false;
      },
      (err: unknown) => {
        const fields = { registry: this.registry.name, error: String(err), intervalMs: this.intervalMs };
        if (this.failing) this.logger.debug("re-registration failed again", fields);
        else this.logger.warn("re-registration failed; retrying every register interval", fields);
        this.failing = true;
      },
    );
  }

  /** Stops renewing and deregisters; errors are logged, not thrown, so shutdown goes on. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      await this.registry.deregister(this.record());
    } catch (err) {
      this.logger.warn("deregistration failed", { registry: this.registry.name, error: String(err) });
    }
  }
}
