import { Handler, Module, Service, createTestingModule, type TraceResponse } from "../../../src";
import { otlpTracesUrl, traceExporters } from "../../../src/observability/telemetry";
import { uniqueName } from "../../contract/registry.contract";
import { RecordingLogger } from "../../helpers/recording-logger";

const name = uniqueName("traced");

@Service(name)
class Traced {
  @Handler("Traced.Ping", { validate: false })
  async ping(): Promise<{ pong: true }> {
    return { pong: true };
  }
}

@Module({ services: [Traced] })
class TracedModule {}

describe("telemetry from the OpenTelemetry environment variables", () => {
  it("exports nothing unless asked (unlike the specification's otlp default)", () => {
    expect(traceExporters({})).toEqual([]);
    expect(traceExporters({ OTEL_TRACES_EXPORTER: "none" })).toEqual([]);
    expect(traceExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toEqual(["otlp"]);
    expect(traceExporters({ OTEL_TRACES_EXPORTER: "otlp, console" })).toEqual(["otlp", "console"]);
    expect(traceExporters({ OTEL_TRACES_EXPORTER: "otlp", OTEL_SDK_DISABLED: "true" })).toEqual([]);
    expect(() => traceExporters({ OTEL_TRACES_EXPORTER: "jaeger" })).toThrow('unknown exporter "jaeger"');
  });

  it("builds the OTLP traces URL as the specification says", () => {
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" })).toBe("http://127.0.0.1:4318/v1/traces");
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:1", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:2/x" })).toBe("http://b:2/x");
    expect(otlpTracesUrl({})).toBeUndefined();
    expect(() => otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "nonsense" })).toThrow('OTEL_EXPORTER_OTLP_ENDPOINT: "nonsense" is not an http(s) URL');
    // An empty port would silently mean port 80.
    expect(() => otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:" })).toThrow("is not an http(s) URL");
    expect(() => otlpTracesUrl({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://127.0.0.1:21/x" })).toThrow("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  });

  it("a failing export is one warning, and stopping the service does not throw", async () => {
    const logger = new RecordingLogger();
    // Port 9 (discard) on loopback: nothing listens, every export fails.
    const t = await createTestingModule(TracedModule).withOptions({ logger, env: { OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" } }).compile();
    for (let i = 0; i < 3; i++) await t.client.call(name, "Traced.Ping", {});
    await expect(t.close()).resolves.toBeUndefined();
    const failures = logger.lines.filter((l) => l.msg === "trace export failed");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: "warn", fields: { url: "http://127.0.0.1:9/v1/traces" } });
  });

  it("with tracing on, Debug.Trace returns the service's recent spans", async () => {
    // The export itself is checked across real processes (otel-processes.spec.ts): Jest's VM cannot run the exporter's dynamic import("http").
    const t = await createTestingModule(TracedModule).withOptions({ env: { OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" } }).compile();
    try {
      await t.client.call(name, "Traced.Ping", {});
      const trace = await t.client.call<TraceResponse>(name, "Debug.Trace", { count: 10 });
      expect(trace.enabled).toBe(true);
      const server = trace.spans.find((s) => s.kind === "server" && s.name === `${name}/Traced.Ping`);
      const client = trace.spans.find((s) => s.kind === "client" && s.name === `${name}/Traced.Ping`);
      expect(server?.parentSpanId).toBe(client?.spanId);
      expect(server?.traceId).toBe(client?.traceId);
      expect(server?.attributes["rpc.method"]).toBe("Traced.Ping");
      const only = await t.client.call<TraceResponse>(name, "Debug.Trace", { traceId: server!.traceId });
      expect(only.spans.every((s) => s.traceId === server!.traceId)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("fails the start with one clear sentence for an unknown exporter", async () => {
    const start = createTestingModule(TracedModule).withOptions({ env: { OTEL_TRACES_EXPORTER: "zipkin" } }).compile();
    await expect(start).rejects.toThrow('OTEL_TRACES_EXPORTER: unknown exporter "zipkin"; use otlp, console or none');
  });
});
