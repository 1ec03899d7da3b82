import { LogRing, RingLogger, SilentLogger, parseLogFormat, type LogRecord } from "../../../src";
import { concreteLogFormat } from "../../../src/logger/format";
import { startupSummary } from "../../../src/service/summary";

const rec = (msg: string, time = Date.now()): LogRecord => ({ time, level: "info", msg, fields: {} });

describe("LogRing", () => {
  it("keeps the newest records, oldest first, and drops the oldest when full", () => {
    const ring = new LogRing(3);
    for (const m of ["a", "b", "c", "d", "e"]) ring.push(rec(m));
    expect(ring.recent().map((r) => r.msg)).toEqual(["c", "d", "e"]);
    expect(ring.recent(2).map((r) => r.msg)).toEqual(["d", "e"]);
  });

  it("filters by time and tells followers about new records until they stop", () => {
    const ring = new LogRing(10);
    ring.push(rec("old", 1000));
    ring.push(rec("new", 5000));
    expect(ring.recent(10, 2000).map((r) => r.msg)).toEqual(["new"]);
    const seen: string[] = [];
    const stop = ring.follow((r) => seen.push(r.msg));
    ring.push(rec("x"));
    stop();
    ring.push(rec("y"));
    expect(seen).toEqual(["x"]);
  });
});

describe("RingLogger", () => {
  it("keeps records at or above its level with the fields of every child", () => {
    const ring = new LogRing();
    const logger = new RingLogger(new SilentLogger(), ring, "warn").child({ service: "s" }).child({ endpoint: "E" });
    logger.info("dropped");
    logger.warn("kept", { n: 1 });
    expect(ring.recent()).toEqual([expect.objectContaining({ level: "warn", msg: "kept", fields: { service: "s", endpoint: "E", n: 1 } })]);
  });
});

describe("log formats", () => {
  it("parses the three names and says the valid ones otherwise", () => {
    expect(parseLogFormat(" JSON ")).toBe("json");
    expect(() => parseLogFormat("xml")).toThrow('"xml" is not a log format; use one of auto, json, pretty');
    expect(concreteLogFormat("auto", true)).toBe("pretty");
    expect(concreteLogFormat("auto", false)).toBe("json");
    expect(concreteLogFormat("json", true)).toBe("json");
  });
});

describe("startupSummary", () => {
  it("lists the node, address, each provider with its source, tracing and metrics", () => {
    const text = startupSummary({
      service: "greeter",
      version: "1.0.0",
      node: "greeter-1",
      address: "127.0.0.1:8080",
      providers: new Map([["registry", { name: "etcd", source: "flag" }]]),
      tracing: "otlp",
      metrics: "127.0.0.1:9464",
    });
    expect(text).toBe(
      [
        "greeter 1.0.0 ready",
        "  node       greeter-1",
        "  address    127.0.0.1:8080",
        "  registry   etcd       (flag)",
        "  tracing    otlp",
        "  metrics    http://127.0.0.1:9464/metrics",
      ].join("\n"),
    );
  });
});
