import { limitWarnings, WarningLimiter } from "../../../src/internal/warning-limiter";
import type { LogFields, Logger } from "../../../src/logger/logger";

function fakeClock() {
  const clock = { t: 1_000, timers: [] as Array<{ fn: () => void; at: number; live: boolean }> };
  const schedule = (fn: () => void, ms: number) => {
    const timer = { fn, at: clock.t + ms, live: true };
    clock.timers.push(timer);
    return () => (timer.live = false);
  };
  const advance = (ms: number) => {
    clock.t += ms;
    for (const timer of clock.timers) {
      if (!timer.live || timer.at > clock.t) continue;
      timer.live = false;
      timer.fn();
    }
  };
  return { now: () => clock.t, schedule, advance };
}

describe("WarningLimiter", () => {
  it("logs the first N warnings of a window and one summary line for the rest", () => {
    const lines: string[] = [];
    const clock = fakeClock();
    const limiter = new WarningLimiter((msg) => lines.push(msg), { perWindow: 3, windowMs: 1000, ...clock });
    for (let i = 0; i < 1000; i++) limiter.warn(`bad connection ${i}`);
    expect(lines).toEqual(["bad connection 0", "bad connection 1", "bad connection 2"]);
    clock.advance(1000);
    expect(lines).toEqual(["bad connection 0", "bad connection 1", "bad connection 2", "suppressed 997 similar warnings"]);
  });

  it("starts a fresh window after windowMs and reports the previous one first", () => {
    const lines: string[] = [];
    const clock = fakeClock();
    const limiter = new WarningLimiter((msg) => lines.push(msg), { perWindow: 1, windowMs: 1000, now: clock.now, schedule: () => () => undefined });
    limiter.warn("a");
    limiter.warn("b");
    clock.advance(999);
    limiter.warn("c");
    clock.advance(1);
    limiter.warn("d");
    expect(lines).toEqual(["a", "suppressed 2 similar warnings", "d"]);
  });

  it("writes nothing extra when nothing was suppressed", () => {
    const lines: string[] = [];
    const clock = fakeClock();
    const limiter = new WarningLimiter((msg) => lines.push(msg), { perWindow: 5, windowMs: 1000, ...clock });
    limiter.warn("a");
    clock.advance(5000);
    limiter.flush();
    expect(lines).toEqual(["a"]);
  });
});

describe("limitWarnings", () => {
  it("limits warn lines across a logger and its children, keeping each line's own logger", () => {
    const lines: Array<[string, string, LogFields | undefined]> = [];
    const make = (bound: LogFields): Logger => ({
      debug: (m, f) => lines.push(["debug", m, { ...bound, ...f }]),
      info: (m, f) => lines.push(["info", m, { ...bound, ...f }]),
      warn: (m, f) => lines.push(["warn", m, { ...bound, ...f }]),
      error: (m, f) => lines.push(["error", m, { ...bound, ...f }]),
      child: (f) => make({ ...bound, ...f }),
    });
    const clock = fakeClock();
    const logger = limitWarnings(make({}), { perWindow: 2, windowMs: 1000, ...clock });
    const child = logger.child({ remote: "x" });
    child.warn("one");
    logger.warn("two");
    child.warn("three");
    logger.error("kept");
    expect(lines.map(([level, m]) => `${level} ${m}`)).toEqual(["warn one", "warn two", "error kept"]);
    expect(lines[0]![2]).toEqual({ remote: "x" });
    clock.advance(1000);
    expect(lines[3]![1]).toBe("suppressed 1 similar warnings");
  });
});
