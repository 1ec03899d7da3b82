import { get } from "node:http";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { Broker, Handler, MemoryBroker, Module, Service, badRequest, createTestingModule, type BrokerLag } from "../../../src";
import { uniqueName } from "../../contract/registry.contract";
import { freePort } from "../../helpers/ports";

const name = uniqueName("measured");

@Service(name)
class Measured {
  @Handler("Measured.Ok", { validate: false })
  async ok(): Promise<{ ok: true }> {
    return { ok: true };
  }

  @Handler("Measured.Bad", { validate: false })
  async bad(): Promise<never> {
    throw badRequest("no");
  }
}

@Module({ services: [Measured] })
class MeasuredModule {}

/** A broker whose lag is whatever the test sets, or a failure. */
class LaggingBroker extends MemoryBroker {
  current: BrokerLag[] | Error = [];

  async lag(): Promise<BrokerLag[]> {
    if (this.current instanceof Error) throw this.current;
    return this.current;
  }
}

function scrape(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }));
    }).on("error", reject);
  });
}

interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string }>;
}

describe("MICRO_METRICS_ADDRESS", () => {
  it("serves per-endpoint requests by code, latency and in-flight in Prometheus text format", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const t = await createTestingModule(MeasuredModule).withOptions({ settings: { metricsAddress: address } }).compile();
    try {
      for (let i = 0; i < 3; i++) await t.client.call(name, "Measured.Ok", {});
      await expect(t.client.call(name, "Measured.Bad", {})).rejects.toMatchObject({ code: 400 });
      const res = await scrape(`http://${address}/metrics`);
      expect(res.status).toBe(200);
      expect(res.type).toContain("text/plain");
      const families = parsePrometheusTextFormat(res.body) as Family[];
      const family = (n: string): Family => {
        const f = families.find((x) => x.name === n);
        if (!f) throw new Error(`no ${n} in:\n${res.body}`);
        return f;
      };
      const requests = family("micro_server_requests_total");
      expect(requests.type).toBe("COUNTER");
      const value = (endpoint: string, code: string): number =>
        Number(requests.metrics.find((m) => m.labels?.service === name && m.labels.endpoint === endpoint && m.labels.code === code)?.value ?? NaN);
      expect(value("Measured.Ok", "200")).toBe(3);
      expect(value("Measured.Bad", "400")).toBe(1);
      const latency = family("micro_server_request_duration_seconds");
      expect(latency.type).toBe("HISTOGRAM");
      // The parser merges labelled histograms into one; read the per-endpoint count from its own line.
      const count = new RegExp(`^micro_server_request_duration_seconds_count\\{[^}]*endpoint="Measured.Ok"[^}]*\\} (\\d+)$`, "m").exec(res.body);
      expect(Number(count?.[1])).toBe(3);
      const inflight = family("micro_server_requests_in_flight");
      expect(Number(inflight.metrics.find((m) => m.labels?.endpoint === "Measured.Ok")?.value)).toBe(0);
      // The testing module's client and the server share this process: one connection each way.
      expect(Number(family("micro_server_connections").metrics[0]?.value)).toBeGreaterThanOrEqual(1);
      expect(Number(family("micro_client_pool_connections").metrics[0]?.value)).toBe(1);
      const client = family("micro_client_requests_total");
      expect(Number(client.metrics.find((m) => m.labels?.endpoint === "Measured.Bad" && m.labels.code === "400")?.value)).toBe(1);
    } finally {
      await t.close();
    }
    // Stopping the service stops the endpoint.
    await expect(scrape(`http://${address}/metrics`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("fails the start with a clear sentence when the address is taken", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const first = await createTestingModule(MeasuredModule).withOptions({ settings: { metricsAddress: address } }).compile();
    try {
      const second = createTestingModule(MeasuredModule).withOptions({ settings: { metricsAddress: address } }).compile();
      await expect(second).rejects.toThrow(`metrics address ${address} is in use (MICRO_METRICS_ADDRESS / --metrics_address)`);
    } finally {
      await first.close();
    }
  });

  it("reports the broker's lag per topic and queue, and a failing lag() leaves the scrape whole", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const broker = new LaggingBroker();
    const t = await createTestingModule(MeasuredModule).overrideProvider(Broker).useValue(broker).withOptions({ settings: { metricsAddress: address } }).compile();
    try {
      broker.current = [
        { topic: "orders.created", queue: "billing", pending: 7 },
        { topic: "orders.created", pending: 2 },
      ];
      const families = parsePrometheusTextFormat((await scrape(`http://${address}/metrics`)).body) as Family[];
      const lag = families.find((f) => f.name === "micro_broker_lag");
      expect(lag?.type).toBe("GAUGE");
      const rows = lag?.metrics.map((m) => ({ ...m.labels, value: m.value }));
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ service: name, topic: "orders.created", queue: "billing", value: "7" }),
          expect.objectContaining({ service: name, topic: "orders.created", queue: "", value: "2" }),
        ]),
      );
      expect(rows).toHaveLength(2);
      broker.current = new Error("broker unreachable");
      const res = await scrape(`http://${address}/metrics`);
      expect(res.status).toBe(200);
      const after = parsePrometheusTextFormat(res.body) as Family[];
      // The failing callback observes nothing; the SDK's cumulative store may still repeat the last values.
      expect(after.find((f) => f.name === "micro_broker_lag")?.metrics.every((m) => m.value === "7" || m.value === "2") ?? true).toBe(true);
      expect(after.find((f) => f.name === "micro_server_connections")).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
