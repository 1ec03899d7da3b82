import { parseTraceparent } from "../../../src/metadata/trace";
import { randomHex, randomTraceparent, randomUuid } from "../../../src/internal/random";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("random ids", () => {
  // 20,000 UUIDs draw 320,000 bytes: the 8 KiB pool is refilled dozens of times on the way.
  it("makes version 4 UUIDs, all different, across pool refills", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = randomUuid();
      expect(id).toMatch(UUID_V4);
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
  });

  it("makes traceparents that parse as a new sampled trace, all different", () => {
    const traces = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const tp = randomTraceparent();
      const parsed = parseTraceparent(tp);
      expect(parsed).toEqual({ traceId: tp.slice(3, 35), spanId: tp.slice(36, 52), flags: "01" });
      traces.add(parsed!.traceId);
    }
    expect(traces.size).toBe(5_000);
  });

  it("uses every hex digit in every position it fills", () => {
    const digits = Array.from({ length: 32 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...randomUuid().replace(/-/g, "")].forEach((c, at) => digits[at]!.add(c));
    digits.forEach((set, at) => expect(set.size).toBe(at === 12 ? 1 : at === 16 ? 4 : 16));
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });
});
