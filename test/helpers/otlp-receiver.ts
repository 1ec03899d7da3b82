import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One OTLP/HTTP export as the receiver decoded it. */
export interface OtlpExport {
  path: string;
  contentType: string;
  body: OtlpTraces;
}

/** The parts of an OTLP/JSON `ExportTraceServiceRequest` the tests read. */
export interface OtlpTraces {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string; kind: number; attributes: Array<{ key: string; value: Record<string, unknown> }> }> }>;
  }>;
}

/**
 * A small OTLP/HTTP receiver on a loopback port: it accepts JSON exports at `/v1/traces`,
 * answers 200 as a collector does, and keeps what it decoded.
 */
export class OtlpReceiver {
  readonly exports: OtlpExport[] = [];
  private readonly server: Server;
  private waiters: Array<() => void> = [];

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const contentType = req.headers["content-type"] ?? "";
        if (req.method !== "POST" || !contentType.includes("json")) {
          res.writeHead(415).end();
          return;
        }
        this.exports.push({ path: req.url ?? "", contentType, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpTraces });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every span received so far, with its resource's `service.name`. */
  spans(): Array<{ service: string; name: string; traceId: string; spanId: string; parentSpanId: string; kind: number }> {
    return this.exports.flatMap((e) =>
      e.body.resourceSpans.flatMap((rs) => {
        const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ service, name: s.name, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? "", kind: s.kind })));
      }),
    );
  }

  /** Resolves once `test` holds for what was received. */
  async until(test: () => boolean): Promise<void> {
    while (!test()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
