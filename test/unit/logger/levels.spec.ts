import { LOG_LEVELS, PinoLogger, parseLogLevel, resolveConfig } from "../../../src";

// Regression: MICRO_LOG_LEVEL=loud crashed inside pino instead of saying which levels exist.
describe("log levels", () => {
  const list = LOG_LEVELS.join(", ");

  it("parses the known levels, case and spaces aside", () => {
    expect(parseLogLevel(" DEBUG ")).toBe("debug");
    for (const level of LOG_LEVELS) expect(parseLogLevel(level)).toBe(level);
  });

  it("refuses an unknown level with the list of valid ones", () => {
    expect(() => parseLogLevel("loud")).toThrow(`"loud" is not a log level; use one of ${list}`);
    expect(() => new PinoLogger({ level: "loud" })).toThrow(`use one of ${list}`);
  });

  it("names MICRO_LOG_LEVEL or --log_level when the setting is bad", () => {
    expect(() => resolveConfig({ env: { MICRO_LOG_LEVEL: "loud" }, argv: [] })).toThrow(
      `invalid value for MICRO_LOG_LEVEL: "loud" is not a log level; use one of ${list}`,
    );
    expect(() => resolveConfig({ env: {}, argv: ["--log_level=shout"] })).toThrow(/--log_level: "shout" is not a log level/);
    expect(resolveConfig({ env: { MICRO_LOG_LEVEL: "warn" }, argv: [] })).toEqual(expect.objectContaining({ logLevel: "warn" }));
  });

  it("PinoLogger reads no environment: the level comes from its options", () => {
    const saved = process.env.MICRO_LOG_LEVEL;
    process.env.MICRO_LOG_LEVEL = "error";
    try {
      expect(new PinoLogger().level).toBe("info");
      expect(new PinoLogger({ level: "debug" }).level).toBe("debug");
    } finally {
      if (saved === undefined) delete process.env.MICRO_LOG_LEVEL;
      else process.env.MICRO_LOG_LEVEL = saved;
    }
  });
});
