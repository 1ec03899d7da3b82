import { checkSubject, durableName, hasWildcard, streamFor } from "../../../../src/broker/nats/names";
import { resolveNatsBrokerOptions } from "../../../../src/broker/nats/options";

describe("NATS stream and consumer names", () => {
  it("puts a topic in the stream of its first tokens, covering the prefix and everything below it", () => {
    expect(streamFor("orders.created", "MICRO", 1)).toEqual({ name: "MICRO_orders", subjects: ["orders", "orders.>"] });
    expect(streamFor("orders", "MICRO", 1)).toEqual({ name: "MICRO_orders", subjects: ["orders", "orders.>"] });
    expect(streamFor("a.b.c", "X", 2)).toEqual({ name: "X_a_b", subjects: ["a.b", "a.b.>"] });
  });

  it("gives a queue group on a topic a consumer name NATS accepts, distinct even when sanitising collides", () => {
    const a = durableName("orders.created", "billing svc");
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(durableName("orders.created", "billing svc")).toBe(a);
    expect(durableName("orders_created", "billing svc")).not.toBe(a);
    expect(durableName("orders.created", "billing_svc")).not.toBe(a);
  });
});

describe("resolveNatsBrokerOptions", () => {
  it("fills the defaults, treats an empty server list as the default server, and refuses a bad streamTokens", () => {
    expect(resolveNatsBrokerOptions({ servers: [] })).toMatchObject({ servers: ["nats://127.0.0.1:4222"], jetstream: "auto", streamTokens: 1, ackWaitMs: 30_000 });
    expect(() => resolveNatsBrokerOptions({ streamTokens: 0 })).toThrow(/streamTokens/);
  });
});

describe("checkSubject", () => {
  it("accepts subjects and, for subscriptions only, wildcards where NATS allows them", () => {
    for (const ok of ["user.created", "a", "a-b_c.d1"]) expect(() => checkSubject(ok, false)).not.toThrow();
    for (const ok of ["user.*", "user.>", ">", "*.created", "a.*.c.>"]) expect(() => checkSubject(ok, true)).not.toThrow();
  });

  it("rejects what cannot be a subject with a 400 that says why", () => {
    expect(() => checkSubject("user.*", false)).toThrow(expect.objectContaining({ code: 400, detail: 'nats broker: "user.*" is not a valid topic: "*" and ">" are for subscriptions' }));
    expect(() => checkSubject("user.>", false)).toThrow(expect.objectContaining({ code: 400 }));
    for (const bad of ["", "with space", "x..y", ".a", "a.", "a.>.b", "a>", "tab\there"]) {
      expect(() => checkSubject(bad, true)).toThrow(expect.objectContaining({ code: 400, detail: expect.stringContaining("a subject is dot-separated tokens without spaces") }));
    }
  });

  it("finds wildcard tokens, only among the first tokens when asked, and not inside a token", () => {
    expect(hasWildcard("orders.*")).toBe(true);
    expect(hasWildcard("orders.>")).toBe(true);
    expect(hasWildcard("orders.created")).toBe(false);
    expect(hasWildcard("a*b.c>")).toBe(false);
    expect(hasWildcard("orders.*", 1)).toBe(false);
    expect(hasWildcard("*.created", 1)).toBe(true);
    expect(hasWildcard("a.b.>", 2)).toBe(false);
    expect(hasWildcard("a.>.c", 2)).toBe(true);
  });
});
