import type { CallOptions, Client } from "../client/client";
import type { SpanRecord, StatsResponse, TraceResponse } from "../debug";
import { ErrorIds, MicroError, notFound } from "../errors";
import type { LogRecord } from "../logger/log-ring";
import type { Node, Registry } from "../registry/registry";
import { filterNode } from "../selector/filters";

/**
 * Options that reach exactly `node`, through the selector, so the call goes over the transport
 * the node advertises (an `address` would use the CLI's own transport), and is not retried.
 */
export function onNode(node: Node): CallOptions {
  return { select: { filters: [filterNode(node.id)] }, retries: 0 };
}

/** Where the debug commands write. */
export interface DebugOutput {
  out(text: string): void;
}

/** Every node of `service`, or a 404 naming it. */
export async function nodesOf(registry: Registry, service: string): Promise<Node[]> {
  const nodes = (await registry.getService(service)).flatMap((r) => r.nodes);
  if (nodes.length === 0) throw notFound(`service "${service}" not found`, ErrorIds.serviceNotFound);
  return nodes;
}

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)}MiB`;
const duration = (s: number): string => (s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`);

/** Aligns rows of cells into columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

/** `micro stats`: one row per node from its `Debug.Stats` (a failing node shows its error). */
export async function statsTable(client: Client, service: string, nodes: readonly Node[]): Promise<string> {
  const failed: string[] = [];
  const rows: string[][] = [["NODE", "ADDRESS", "UPTIME", "MEMORY", "HEAP", "LOOP LAG p99", "REQUESTS", "ERRORS", "INFLIGHT", "GC"]];
  for (const node of nodes) {
    try {
      const s = await client.call<StatsResponse>(service, "Debug.Stats", {}, onNode(node));
      rows.push([node.id, node.address, duration(s.uptime), mib(s.memory), mib(s.heapUsed), `${s.eventLoopLagMs.p99}ms`, String(s.requests), String(s.errors), String(s.inflight), `${s.gc.count} (${s.gc.pauseMs}ms)`]);
    } catch (err) {
      failed.push(`${node.id} ${node.address}: ${MicroError.is(err) ? err.toString() : String(err)}`);
    }
  }
  // A node that did not answer is said below the table, so the columns stay aligned.
  return (rows.length > 1 ? table(rows) : "") + failed.map((f) => `${f}\n`).join("");
}

/** One log record as a line: time, level, node, message, then its fields as JSON. */
export function formatLogRecord(r: LogRecord): string {
  const { service: _s, node, ...fields } = r.fields;
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
  return `${new Date(r.time).toISOString()} ${r.level.toUpperCase().padEnd(5)} ${String(node ?? "")} ${r.msg}${rest}\n`;
}

/**
 * `micro logs`: streams `Debug.Log` from every node, printing each record as it arrives; with
 * `follow` it keeps going until `signal` aborts.
 */
export async function logsCommand(
  client: Client,
  service: string,
  nodes: readonly Node[],
  request: { count?: number; since?: number; follow?: boolean },
  io: DebugOutput,
  signal?: AbortSignal,
): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      const stream = client.stream<typeof request, LogRecord>(service, "Debug.Log", { ...onNode(node), signal, timeoutMs: request.follow ? 2 ** 31 - 1 : undefined });
      await stream.send(request);
      await stream.close();
      try {
        for await (const r of stream) io.out(formatLogRecord(r));
      } catch (err) {
        // Ctrl-C ends a follow: that is the normal way out, not an error.
        if (!signal?.aborted) throw err;
      }
    }),
  );
}

/** `micro trace`: the recent spans of every node, oldest first, one line each. */
export async function traceTable(client: Client, service: string, nodes: readonly Node[], request: { count?: number; traceId?: string }): Promise<string> {
  const spans: SpanRecord[] = [];
  let enabled = false;
  for (const node of nodes) {
    const res = await client.call<TraceResponse>(service, "Debug.Trace", request, onNode(node));
    enabled ||= res.enabled;
    spans.push(...res.spans);
  }
  if (!enabled) return `tracing is off on every node of ${service}: start it with OTEL_TRACES_EXPORTER=otlp (or console)\n`;
  spans.sort((a, b) => a.started - b.started);
  const rows = [["TRACE", "SPAN", "PARENT", "KIND", "NAME", "DURATION", "STATUS"]];
  for (const s of spans) rows.push([s.traceId, s.spanId, s.parentSpanId || "-", s.kind, s.name, `${s.durationMs}ms`, s.status]);
  return table(rows);
}
