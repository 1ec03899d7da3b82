import { parseDuration } from "../../../src";

describe("parseDuration", () => {
  it("reads Go durations and bare seconds into ms", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("5")).toBe(5000);
  });

  // 720h is more than setTimeout holds (2^31-1 ms): the value stays exact and timers clamp it where they are armed.
  it("keeps long durations exact", () => {
    expect(parseDuration("720h")).toBe(2_592_000_000);
  });

  it("rejects anything else", () => {
    expect(() => parseDuration("5 days")).toThrow('invalid duration "5 days"');
    expect(() => parseDuration("")).toThrow("invalid duration");
  });
});
