import { DeadlineQueue } from "../../../src/internal/deadlines";

describe("DeadlineQueue", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

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
