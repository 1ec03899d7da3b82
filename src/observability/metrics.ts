import type { Meter } from "@opentelemetry/api";
import type { CallWrapper, PublishWrapper } from "../client/client";
import type { HandlerWrapper, SubscriberWrapper } from "../server/server";
import { failureOf } from "./attributes";

/** The wrappers that count and time every call, handler, publish and delivery. */
export interface MetricsWrappers {
  call: CallWrapper;
  handler: HandlerWrapper;
  publish: PublishWrapper;
  subscriber: SubscriberWrapper;
}

/** Latency buckets, seconds: 0.1 ms to 10 s. */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const codeOf = (err: unknown): string => String(failureOf(err).code);

/**
 * Metrics as middleware: requests by outcome code, a latency histogram and requests in flight,
 * per endpoint (server and client) and per topic (subscriber and publisher). Names follow
 * Prometheus conventions once exported (`micro_server_requests_total{service,endpoint,code}`).
 */
export function metricsWrappers(meter: Meter, service: string): MetricsWrappers {
  const histogram = (name: string, description: string) => meter.createHistogram(name, { description, advice: { explicitBucketBoundaries: BUCKETS } });
  const serverRequests = meter.createCounter("micro_server_requests", { description: "Requests handled, by endpoint and status code" });
  const serverLatency = histogram("micro_server_request_duration_seconds", "Handler latency, seconds");
  const serverInflight = meter.createUpDownCounter("micro_server_requests_in_flight", { description: "Requests being handled" });
  const clientRequests = meter.createCounter("micro_client_requests", { description: "Calls made (retries included in one call), by target and status code" });
  const clientLatency = histogram("micro_client_request_duration_seconds", "Call latency including retries, seconds");
  const delivered = meter.createCounter("micro_subscriber_messages", { description: "Events delivered to subscribers, by topic and status code" });
  const deliveryLatency = histogram("micro_subscriber_duration_seconds", "Subscriber latency, seconds");
  const published = meter.createCounter("micro_publisher_messages", { description: "Events published, by topic and status code" });

  return {
    handler: (next) => (req, ctx) => {
      const labels = { service, endpoint: req.endpoint };
      serverInflight.add(1, labels);
      return measure(() => next(req, ctx), (code, s) => {
        serverInflight.add(-1, labels);
        serverRequests.add(1, { ...labels, code });
        serverLatency.record(s, labels);
      });
    },
    call: (next) => (req, opts) =>
      measure(() => next(req, opts), (code, s) => {
        clientRequests.add(1, { service: req.service, endpoint: req.endpoint, code });
        clientLatency.record(s, { service: req.service, endpoint: req.endpoint });
      }),
    subscriber: (next) => (ev, ctx) =>
      measure(() => next(ev, ctx), (code, s) => {
        delivered.add(1, { service, topic: ev.topic, code });
        deliveryLatency.record(s, { service, topic: ev.topic });
      }),
    publish: (next) => (req, opts) => measure(() => next(req, opts), (code) => published.add(1, { service, topic: req.topic, code })),
  };
}

/** Runs `work`, then reports its outcome code ("200" or the MicroError's) and duration in seconds; passes the outcome on. */
async function measure<T>(work: () => Promise<T>, report: (code: string, seconds: number) => void): Promise<T> {
  const started = performance.now();
  let code = "200";
  try {
    return await work();
  } catch (err) {
    code = codeOf(err);
    throw err;
  } finally {
    report(code, (performance.now() - started) / 1000);
  }
}
