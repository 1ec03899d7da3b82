import { DeadlineQueue } from "../../../src/internal/deadlines";

// Every test here runs on fake timers.
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe("DeadlineQueue", () => {
  it("expires unsettled deadlines in order, on time, and never a settled one", () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    const a = q.add(100, () => fired.push("a"));
    q.add(100, () => fired.push("b"));
    jest.advanceTimersByTime(50);
    q.add(100, () => fired.push("c"));
    q.settle(a);
    jest.advanceTimersByTime(60);
    expect(fired).toEqual(["b"]);
    jest.advanceTimersByTime(40);
    expect(fired).toEqual(["b", "c"]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("expires a shorter budget added after a longer one at its own deadline", () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    q.add(1000, () => fired.push("long"));
    const short = q.add(10, () => fired.push("short"));
    jest.advanceTimersByTime(10);
    expect(fired).toEqual(["short"]);
    q.settle(short);
    jest.advanceTimersByTime(990);
    expect(fired).toEqual(["short", "long"]);
  });

  it("keeps no timer once every deadline is settled", () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    const ds = [q.add(100, () => fired.push("1")), q.add(100, () => fired.push("2")), q.add(5, () => fired.push("3"))];
    for (const d of ds) q.settle(d);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(200);
    expect(fired).toEqual([]);
  });
});

describe("DeadlineQueue with settled entries behind a slow one", () => {
  it("holds about the live entries, not every settled one, while the head stays unsettled", () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    q.add(30_000, () => fired.push("slow"));
    for (let i = 0; i < 10_000; i++) q.settle(q.add(30_000, () => fired.push("fast")));
    expect(q.size).toBeLessThanOrEqual(64);
    const live = Array.from({ length: 100 }, (_, i) => q.add(30_000, () => fired.push(`live${i}`)));
    for (let i = 0; i < 1000; i++) q.settle(q.add(30_000, () => fired.push("fast")));
    expect(q.size).toBeLessThanOrEqual(2 * 101 + 1);
    q.settle(live[50]!);
    jest.advanceTimersByTime(30_000);
    expect(fired).toHaveLength(100);
    expect(fired[0]).toBe("slow");
    expect(fired).not.toContain("live50");
    expect(fired).not.toContain("fast");
    expect(q.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("keeps a deadline added from an expire callback", () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    q.add(10, () => q.add(10, () => fired.push("again")));
    jest.advanceTimersByTime(10);
    expect(q.size).toBe(1);
    jest.advanceTimersByTime(10);
    expect(fired).toEqual(["again"]);
  });
});

describe("DeadlineQueue with deadlines out of order (remaining budgets)", () => {
  it("gives a deadline earlier than the newest its own timer, on time", () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    q.add(100, () => fired.push("a"));
    q.add(50, () => fired.push("b"));
    expect(jest.getTimerCount()).toBe(2);
    jest.advanceTimersByTime(50);
    expect(fired).toEqual(["b"]);
    jest.advanceTimersByTime(50);
    expect(fired).toEqual(["b", "a"]);
  });
});
