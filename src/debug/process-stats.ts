import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from "node:perf_hooks";

/** What `Debug.Stats` answers (go-micro's stats, plus Node's event-loop lag). */
export interface StatsResponse {
  /** Process start, seconds since the epoch. */
  started: number;
  /** Seconds since start. */
  uptime: number;
  /** Resident set size, bytes. */
  memory: number;
  heapUsed: number;
  heapTotal: number;
  /** Event-loop delay since start, ms. */
  eventLoopLagMs: { mean: number; p99: number; max: number };
  /** Requests answered (unary and streams opened) and how many of them failed. */
  requests: number;
  errors: number;
  /** Garbage collections since start and their total pause, ms. */
  gc: { count: number; pauseMs: number };
  /** Requests in flight now. */
  inflight: number;
  /** Client connections open now. */
  connections: number;
}

/** Counts a server increments per answered request. */
export class RequestCounters {
  requests = 0;
  errors = 0;
}

/**
 * Samples what `Debug.Stats` reports. The event-loop and GC observers run only between
 * `start` and `stop` (the server's lifetime), so an idle import costs nothing.
 */
export class ProcessStats {
  private readonly started = Date.now();
  private loop?: IntervalHistogram;
  private gcObserver?: PerformanceObserver;
  private gcCount = 0;
  private gcPauseMs = 0;

  constructor(
    readonly counters: RequestCounters,
    private readonly inflight: () => number,
    private readonly connections: () => number = () => 0,
  ) {}

  start(): void {
    if (this.loop) return;
    this.loop = monitorEventLoopDelay({ resolution: 20 });
    this.loop.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.gcCount++;
        this.gcPauseMs += entry.duration;
      }
    });
    this.gcObserver.observe({ entryTypes: ["gc"] });
  }

  stop(): void {
    this.loop?.disable();
    this.gcObserver?.disconnect();
    this.loop = undefined;
    this.gcObserver = undefined;
  }

  snapshot(): StatsResponse {
    const mem = process.memoryUsage();
    const ms = (ns: number): number => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
    const loop = this.loop;
    return {
      started: Math.floor(this.started / 1000),
      uptime: Math.floor((Date.now() - this.started) / 1000),
      memory: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      eventLoopLagMs: loop && loop.count > 0 ? { mean: ms(loop.mean), p99: ms(loop.percentile(99)), max: ms(loop.max) } : { mean: 0, p99: 0, max: 0 },
      requests: this.counters.requests,
      errors: this.counters.errors,
      gc: { count: this.gcCount, pauseMs: Math.round(this.gcPauseMs * 100) / 100 },
      inflight: this.inflight(),
      connections: this.connections(),
    };
  }
}
