import { trace } from "@opentelemetry/api";
import type { BrokerLag } from "../broker/broker";
import type { AttemptWrapperLike, CallWrapperLike, PublishWrapperLike } from "../client/client";
import { SpanRing } from "../debug/span-ring";
import { packageOf } from "../di/missing-module";
import type { Logger } from "../logger/logger";
import { setHeaderInjector } from "../metadata/propagation";
import { WarningLimiter } from "../internal/warning-limiter";
import type { HandlerWrapperLike, SubscriberWrapperLike } from "../server/server";
import { metricsWrappers } from "./metrics";
import { injectActiveContext, tracerInstalled, tracingWrappers } from "./tracing";

type Env = Readonly<Record<string, string | undefined>>;

/** What telemetry is started from. */
export interface TelemetryOptions {
  /** The service's name (`OTEL_SERVICE_NAME` overrides it for the trace resource). */
  serviceName: string;
  /** The broker's name, for `messaging.system`. */
  broker: string;
  env: Env;
  /** `host:port` for Prometheus `/metrics`; "" for none. */
  metricsAddress: string;
  logger: Logger;
}

/** Wrappers (outermost first) and the span ring of a service's telemetry; `close` flushes and stops it. */
export interface Telemetry {
  readonly handlerWrappers: HandlerWrapperLike[];
  readonly subscriberWrappers: SubscriberWrapperLike[];
  readonly callWrappers: CallWrapperLike[];
  readonly attemptWrappers: AttemptWrapperLike[];
  readonly publishWrappers: PublishWrapperLike[];
  /** Recent spans, when this service installed the tracing SDK. */
  readonly spans?: SpanRing;
  /** How traces leave the process: exporter names, "application SDK", or "off". */
  readonly tracing: string;
  /** Where `/metrics` is served, or "" when off. */
  readonly metrics: string;
  /** Reports the node's gauges (open server connections, pooled client connections) on each scrape; no-op with metrics off. */
  observe(node: NodeGauges): void;
  close(): Promise<void>;
}

/** Per-node numbers read at scrape time. */
export interface NodeGauges {
  connections(): number;
  pooled(): number;
  /** The broker's per-subscription lag, when the broker can measure it. */
  brokerLag?: () => Promise<BrokerLag[]>;
}

/**
 * The trace exporters the environment asks for, per OpenTelemetry's variables. Unlike the
 * specification's default (otlp), an unset `OTEL_TRACES_EXPORTER` exports nothing unless an
 * OTLP endpoint is configured, so a service nobody set up for tracing pays nothing.
 */
export function traceExporters(env: Env): string[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return [];
  const named = env.OTEL_TRACES_EXPORTER?.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (named === undefined || named.length === 0) return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? ["otlp"] : [];
  if (named.includes("none")) return [];
  const unknown = named.filter((n) => n !== "otlp" && n !== "console");
  if (unknown.length > 0) throw new Error(`OTEL_TRACES_EXPORTER: unknown exporter "${unknown[0]}"; use otlp, console or none`);
  return named;
}

const SDK_PACKAGES = ["@opentelemetry/sdk-trace-node", "@opentelemetry/sdk-trace-base", "@opentelemetry/core", "@opentelemetry/resources", "@opentelemetry/exporter-trace-otlp-http"];
const METRICS_PACKAGES = ["@opentelemetry/sdk-metrics", "@opentelemetry/exporter-prometheus", "@opentelemetry/resources"];

/** The OTLP/HTTP traces URL the environment names, per the OpenTelemetry variables; undefined for the exporter's default. */
export function otlpTracesUrl(env: Env): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return checkedUrl(traces, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${checkedUrl(base, "OTEL_EXPORTER_OTLP_ENDPOINT").replace(/\/+$/, "")}/v1/traces` : undefined;
}

/** `text` if it is an http(s) URL with a host (and, if it has a colon after the host, a port); else a start-up error naming `variable`. */
function checkedUrl(text: string, variable: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const emptyPort = /^[a-z]+:\/\/[^/]*:(\/|$)/i.test(text);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "" || emptyPort) {
    throw new Error(`${variable}: "${text}" is not an http(s) URL such as http://127.0.0.1:4318`);
  }
  return text;
}

/** A missing optional SDK package, said as the line to run. */
function explainMissing(what: string, packages: readonly string[], err: unknown): unknown {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code !== "MODULE_NOT_FOUND" || typeof e.message !== "string") return err;
  const missing = packageOf(/Cannot find module '([^']+)'/.exec(e.message)?.[1] ?? "");
  return new Error(`${what} needs the npm package "${missing ?? "?"}", which is not installed; run: npm install ${packages.join(" ")}`, { cause: err });
}

/**
 * Starts what the environment asks for: the OpenTelemetry tracing SDK (`OTEL_TRACES_EXPORTER`,
 * unless the application installed its own, which is then used) and a Prometheus endpoint
 * (`MICRO_METRICS_ADDRESS`). With neither, it returns no wrappers: tracing and metrics off
 * cost nothing per request.
 */
export async function startTelemetry(o: TelemetryOptions): Promise<Telemetry> {
  const closers: Array<() => Promise<void>> = [];
  const t = {
    handlerWrappers: [] as HandlerWrapperLike[],
    subscriberWrappers: [] as SubscriberWrapperLike[],
    callWrappers: [] as CallWrapperLike[],
    attemptWrappers: [] as AttemptWrapperLike[],
    publishWrappers: [] as PublishWrapperLike[],
    spans: undefined as SpanRing | undefined,
    tracing: "off",
    metrics: "",
    observe: (_node: NodeGauges): void => undefined,
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
  try {
    if (o.metricsAddress) {
      const { installMetrics } = await import("./otel/metrics-setup").catch((err: unknown) => Promise.reject(explainMissing("MICRO_METRICS_ADDRESS", METRICS_PACKAGES, err)));
      const installed = await installMetrics(o.serviceName, o.metricsAddress);
      closers.push(() => installed.shutdown());
      const m = metricsWrappers(installed.meter, o.serviceName);
      t.handlerWrappers.push(m.handler);
      t.subscriberWrappers.push(m.subscriber);
      t.callWrappers.push(m.call);
      t.publishWrappers.push(m.publish);
      t.metrics = installed.address;
      t.observe = (node) => {
        const labels = { service: o.serviceName };
        installed.meter.createObservableGauge("micro_server_connections", { description: "Client connections open to this node" }).addCallback((r) => r.observe(node.connections(), labels));
        installed.meter.createObservableGauge("micro_client_pool_connections", { description: "Connections this node's client keeps open to other nodes" }).addCallback((r) => r.observe(node.pooled(), labels));
        const brokerLag = node.brokerLag;
        if (brokerLag !== undefined) {
          installed.meter.createObservableGauge("micro_broker_lag", { description: "Messages waiting for this node's subscriptions (undelivered plus unacknowledged where the broker says)" }).addCallback(async (r) => {
            // A broker that cannot answer now leaves the gauge out of this scrape rather than failing it.
            const lags = await brokerLag().catch(() => []);
            for (const l of lags) r.observe(l.pending, { ...labels, topic: l.topic, queue: l.queue ?? "" });
          });
        }
      };
    }
    const exporters = traceExporters(o.env);
    if (exporters.length > 0 && !tracerInstalled()) {
      const { installTracing } = await import("./otel/tracing-setup").catch((err: unknown) => Promise.reject(explainMissing(`OTEL_TRACES_EXPORTER=${exporters.join(",")}`, SDK_PACKAGES, err)));
      const spans = new SpanRing();
      const otlpUrl = otlpTracesUrl(o.env);
      // A collector that is down is said once a minute, not on every batch (and never thrown).
      const failures = new WarningLimiter((msg, fields) => o.logger.warn(msg, fields), { perWindow: 1, windowMs: 60_000 });
      const onError = (err: unknown): void => failures.warn("trace export failed", { error: err instanceof Error ? err.message : String(err), url: otlpUrl });
      const installed = await installTracing({ serviceName: o.env.OTEL_SERVICE_NAME || o.serviceName, exporters, spans, otlpUrl, onError });
      setHeaderInjector(injectActiveContext);
      closers.push(async () => {
        setHeaderInjector(undefined);
        await installed.shutdown();
      });
      t.spans = spans;
      t.tracing = exporters.join(",");
    } else if (tracerInstalled()) {
      // The application's own SDK (or another service's in this process): trace through it.
      setHeaderInjector(injectActiveContext);
      closers.push(async () => setHeaderInjector(undefined));
      t.tracing = "application SDK";
    }
    if (t.tracing !== "off") {
      const w = tracingWrappers(trace.getTracer("tsmicro"), o.broker);
      t.handlerWrappers.push(w.handler);
      t.subscriberWrappers.push(w.subscriber);
      t.attemptWrappers.push(w.attempt);
      t.publishWrappers.push(w.publish);
    }
  } catch (err) {
    await t.close();
    throw err;
  }
  return t;
}
