import { ErrorIds, badRequest, circuitBreaker, serviceUnavailable, type AttemptFn, type AttemptRequest, type ResolvedCallOptions } from "../../../src";

const opts = {} as ResolvedCallOptions;
const attempt = (nodeId: string): AttemptRequest => ({
  service: "s",
  endpoint: "S.E",
  body: {},
  node: { id: nodeId, address: `${nodeId}:1`, metadata: {} },
  attempt: 1,
  deadline: Date.now() + 1000,
});

describe("circuitBreaker", () => {
  it("ejects a node whose attempts keep failing: further attempts fail at once with 503 tsmicro.circuit_open", async () => {
    const breaker = circuitBreaker({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 });
    let runs = 0;
    const failing: AttemptFn = () => (runs++, Promise.reject(serviceUnavailable("down", ErrorIds.internal)));
    const fn = breaker.wrap(failing);
    for (let i = 0; i < 3; i++) await expect(fn(attempt("a"), opts)).rejects.toMatchObject({ code: 503 });
    expect(breaker.isOpen("a")).toBe(true);
    await expect(fn(attempt("a"), opts)).rejects.toMatchObject({ code: 503, id: ErrorIds.circuitOpen });
    expect(runs).toBe(3);
    // Other nodes have their own circuits.
    expect(breaker.isOpen("b")).toBe(false);
    breaker.close();
  });

  it("does not count 4xx answers against a node", async () => {
    const breaker = circuitBreaker({ volumeThreshold: 2, errorThresholdPercentage: 1 });
    const fn = breaker.wrap(() => Promise.reject(badRequest("bad input")));
    for (let i = 0; i < 5; i++) await expect(fn(attempt("a"), opts)).rejects.toMatchObject({ code: 400 });
    expect(breaker.isOpen("a")).toBe(false);
    breaker.close();
  });

  it("lets one trial attempt through after resetTimeoutMs and closes again when it succeeds", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    const breaker = circuitBreaker({ volumeThreshold: 1, resetTimeoutMs: 20 });
    let healthy = false;
    const fn = breaker.wrap(() => (healthy ? Promise.resolve("ok") : Promise.reject(serviceUnavailable("down"))));
    await expect(fn(attempt("a"), opts)).rejects.toMatchObject({ code: 503 });
    expect(breaker.isOpen("a")).toBe(true);
    healthy = true;
    jest.advanceTimersByTime(25);
    await expect(fn(attempt("a"), opts)).resolves.toBe("ok");
    expect(breaker.isOpen("a")).toBe(false);
    breaker.close();
    jest.useRealTimers();
  });
});
