import { context, propagation, trace } from "@opentelemetry/api";
import { setGlobalErrorHandler } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { SpanRing } from "../../debug/span-ring";
import { SpanRingProcessor } from "./span-ring-processor";
import { StderrSpanExporter } from "./stderr-exporter";

/** A running tracer provider; `shutdown` flushes what is buffered and uninstalls it. */
export interface InstalledTracing {
  shutdown(): Promise<void>;
}

/** What the tracing SDK is set up with. */
export interface TracingSetup {
  /** `service.name` of the resource. */
  serviceName: string;
  /** Exporter names from `OTEL_TRACES_EXPORTER` (otlp, console). */
  exporters: readonly string[];
  /** The OTLP/HTTP traces URL; default the exporter's own (`OTEL_EXPORTER_OTLP_*` of process.env, else localhost:4318). */
  otlpUrl?: string;
  /** Where `Debug.Trace` reads from. */
  spans: SpanRing;
  /** Extra processors (tests pass an in-memory exporter's). */
  processors?: readonly SpanProcessor[];
  /** Where export failures go (a collector that is down); they never throw into the service. */
  onError: (err: unknown) => void;
}

/**
 * Installs the OpenTelemetry Node SDK as the global tracer provider: W3C trace context and
 * baggage propagators, async-context tracking, the chosen exporters and the span ring.
 */
export async function installTracing(setup: TracingSetup): Promise<InstalledTracing> {
  const processors: SpanProcessor[] = [new SpanRingProcessor(setup.spans), ...(setup.processors ?? [])];
  for (const name of setup.exporters) processors.push(await exporterProcessor(name, setup.otlpUrl));
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ "service.name": setup.serviceName }), spanProcessors: processors });
  provider.register();
  setGlobalErrorHandler(setup.onError);
  return {
    async shutdown() {
      // The last flush may fail (the collector is gone): said once, not thrown at the stopping service.
      await provider.shutdown().catch(setup.onError);
      // So a later service in this process (tests, embedding) can install its own.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

async function exporterProcessor(name: string, url: string | undefined): Promise<SpanProcessor> {
  if (name === "console") return new SimpleSpanProcessor(new StderrSpanExporter());
  if (name === "otlp") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    const exporter: SpanExporter = new OTLPTraceExporter(url === undefined ? {} : { url });
    return new BatchSpanProcessor(exporter);
  }
  throw new Error(`OTEL_TRACES_EXPORTER: unknown exporter "${name}"; use otlp, console or none`);
}
