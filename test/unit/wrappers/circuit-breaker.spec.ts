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

describe("circuitBreaker in a client", () => {
  it("stops sending to a failing node: its calls go to the other node once the circuit opens", async () => {
    const { MemoryRegistry, RegistrySelector, RpcClient, roundRobin } = await import("../../../src");
    const sent: string[] = [];
    const transport = {
      name: "scripted",
      listen: () => Promise.reject(new Error("not a server")),
      close: async () => undefined,
      dial: async (address: string) => {
        let deliver: (m: { header: Record<string, string>; body: Buffer }) => void = () => undefined;
        return {
          local: "test",
          remote: address,
          send: async (msg: { header: Record<string, string> }) => {
            sent.push(address);
            const id = msg.header["Micro-Id"]!;
            const header: Record<string, string> = address.endsWith(":1")
              ? { "Micro-Id": id, "Micro-Error": serviceUnavailable("database down").toHeader() }
              : { "Micro-Id": id, "Content-Type": "application/json" };
            setImmediate(() => deliver({ header, body: Buffer.from(address.endsWith(":1") ? "" : '"ok"') }));
          },
          onMessage: (h: typeof deliver) => (deliver = h),
          onClose: () => undefined,
          close: async () => undefined,
        };
      },
    };
    const registry = new MemoryRegistry();
    await registry.register({ name: "svc", version: "1", endpoints: [], nodes: ["127.0.0.1:1", "127.0.0.1:2"].map((a) => ({ id: a, address: a, metadata: {} })) });
    const breaker = circuitBreaker({ volumeThreshold: 2, resetTimeoutMs: 60_000 });
    const client = new RpcClient({ selector: new RegistrySelector({ registry, strategy: roundRobin(() => 0) }), transport, attemptWrappers: [breaker] });
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await client.call("svc", "Svc.Do", {}).then(String, (e: { id: string }) => e.id));
    // A 503 from the handler is not retried (it may have run), so the first failures reach the caller.
    expect(outcomes.slice(0, 4)).toEqual([ErrorIds.unavailable, "ok", ErrorIds.unavailable, "ok"]);
    expect(outcomes.slice(4)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(sent.filter((a) => a.endsWith(":1"))).toHaveLength(2);
    expect(breaker.isOpen("127.0.0.1:1")).toBe(true);
    breaker.close();
    await client.close();
  });
});
