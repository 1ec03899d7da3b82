import type { Meter } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { splitHostPort } from "../../internal/address";

/** A running metrics pipeline; `shutdown` stops the `/metrics` server. */
export interface InstalledMetrics {
  readonly meter: Meter;
  /** `host:port` the Prometheus endpoint listens on. */
  readonly address: string;
  shutdown(): Promise<void>;
}

/** Serves the service's metrics in Prometheus text format at `http://<address>/metrics`. */
export async function installMetrics(serviceName: string, address: string): Promise<InstalledMetrics> {
  const { host, port } = splitHostPort(address);
  const exporter = new PrometheusExporter({ host, port, endpoint: "/metrics", preventServerStart: true });
  await exporter.startServer().catch((err: NodeJS.ErrnoException) => {
    const why = err.code === "EADDRINUSE" ? "is in use" : err.code === "EADDRNOTAVAIL" ? "is not an address of this machine" : `cannot be listened on (${err.message})`;
    throw new Error(`metrics address ${address} ${why} (MICRO_METRICS_ADDRESS / --metrics_address)`, { cause: err });
  });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": serviceName }), readers: [exporter] });
  return {
    meter: provider.getMeter("tsmicro"),
    address,
    async shutdown() {
      await provider.shutdown();
    },
  };
}
