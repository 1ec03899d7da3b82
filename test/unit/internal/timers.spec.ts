import { clampDelay, MAX_DELAY_MS } from "../../../src/internal/timers";

describe("clampDelay", () => {
  it("keeps ordinary delays", () => {
    expect(clampDelay(0)).toBe(0);
    expect(clampDelay(250)).toBe(250);
    expect(clampDelay(1.2)).toBe(2);
  });

  it("turns overflowing and non-finite delays into the longest one setTimeout can hold", () => {
    expect(clampDelay(2 ** 31)).toBe(MAX_DELAY_MS);
    expect(clampDelay(720 * 3600 * 1000)).toBe(MAX_DELAY_MS);
    expect(clampDelay(Infinity)).toBe(MAX_DELAY_MS);
    expect(clampDelay(NaN)).toBe(MAX_DELAY_MS);
  });

  it("treats negative delays as already due", () => {
    expect(clampDelay(-5)).toBe(0);
    expect(clampDelay(-Infinity)).toBe(0);
  });
});
