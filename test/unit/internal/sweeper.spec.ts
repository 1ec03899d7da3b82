import { Sweeper } from "../../../src/internal/sweeper";

describe("Sweeper", () => {
  it("passes the clock to every tracked entry and forgets deleted ones", () => {
    let t = 0;
    const sweeper = new Sweeper(1000, () => t);
    const seen: string[] = [];
    const a = { sweep: (now: number) => seen.push(`a@${now}`) };
    const b = { sweep: (now: number) => seen.push(`b@${now}`) };
    sweeper.add(a);
    sweeper.add(b);
    t = 5;
    sweeper.pass();
    sweeper.delete(a);
    t = 9;
    sweeper.pass();
    sweeper.delete(b);
    expect(seen).toEqual(["a@5", "b@5", "b@9"]);
    expect(sweeper.size).toBe(0);
  });

  it("lets an entry delete itself during a pass", () => {
    const sweeper = new Sweeper(1000, () => 1);
    const seen: number[] = [];
    const self = { sweep: () => (seen.push(1), sweeper.delete(self)) };
    sweeper.add(self);
    sweeper.add({ sweep: () => seen.push(2) });
    sweeper.pass();
    sweeper.pass();
    sweeper.stop();
    expect(seen).toEqual([1, 2, 2]);
  });

  it("checks a quarter of the shortest deadline, between 10 ms and 1 s", () => {
    expect(Sweeper.intervalFor(5000)).toBe(1000);
    expect(Sweeper.intervalFor(200)).toBe(50);
    expect(Sweeper.intervalFor(1)).toBe(10);
  });
});
