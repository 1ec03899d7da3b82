import { SpanRing, type SpanRecord } from "../../../src";

const span = (n: number, traceId = "t"): SpanRecord => ({
  traceId,
  spanId: String(n),
  parentSpanId: "",
  name: `s${n}`,
  kind: "server",
  started: n,
  durationMs: 1,
  status: "unset",
  attributes: {},
});

describe("SpanRing", () => {
  it("keeps the newest `capacity` spans, oldest first, after wrapping round", () => {
    const ring = new SpanRing(3);
    for (let n = 1; n <= 7; n++) ring.push(span(n));
    expect(ring.recent().map((s) => s.spanId)).toEqual(["5", "6", "7"]);
    expect(ring.recent(2).map((s) => s.spanId)).toEqual(["6", "7"]);
  });

  it("makes a lazily pushed record only when it is read, and once", () => {
    const ring = new SpanRing(2);
    const make = jest.fn(() => span(2, "b"));
    ring.push(span(1, "a"));
    ring.pushLazy(make);
    expect(make).not.toHaveBeenCalled();
    expect(ring.recent(10, "b").map((s) => s.spanId)).toEqual(["2"]);
    expect(ring.recent().map((s) => s.spanId)).toEqual(["1", "2"]);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it("keeps nothing with capacity 0", () => {
    const ring = new SpanRing(0);
    ring.push(span(1));
    expect(ring.recent()).toEqual([]);
  });
});
