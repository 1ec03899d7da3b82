import { clampDelay } from "../internal/timers";
import type { Logger } from "../logger/logger";
import type { Registry, ServiceRecord } from "../registry/registry";

/** Keeps one service record registered: registers, renews on an interval, deregisters. */
export class Registration {
  private timer?: NodeJS.Timeout;

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
      this.timer = setInterval(() => {
        this.registry.register(this.record(), { ttlMs: this.ttlMs }).catch((err: unknown) => {
          this.logger.warn("re-registration failed", { registry: this.registry.name, error: String(err) });
        });
      }, clampDelay(this.intervalMs));
      this.timer.unref();
    }
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
