import { Etcd3 } from "etcd3";
import {
  Handler,
  Module,
  RegistrySelector,
  RpcClient,
  Service,
  TcpTransport,
  createService,
  type MicroService,
  type ServiceRecord,
} from "../../../src";
import { EtcdRegistry, nodeKey } from "../../../src/registry/etcd";
import { EventLog, uniqueName } from "../../contract/registry.contract";
import { RecordingLogger } from "../../helpers/recording-logger";
import { startEtcd, type EtcdServer } from "../../helpers/servers/etcd";
import { waitFor } from "../../helpers/wait";

// etcd goes away (SIGKILL) and comes back on the same ports and data dir. Running services keep
// serving, clients keep calling with the selector's cached nodes (logged once), registrations
// are renewed or restored within one register interval, and watchers resume by themselves.

const REGISTER_INTERVAL_MS = 1000;

@Service("outage-echo", { version: "1.0.0" })
class Echo {
  @Handler({ validate: false, idempotent: true })
  async ping(): Promise<{ ok: boolean }> {
    return { ok: true };
  }
}

@Module({ services: [Echo] })
class EchoModule {}

const warnings = (log: RecordingLogger, text: string): number => log.lines.filter((l) => l.level === "warn" && l.msg.includes(text)).length;

let etcd: EtcdServer;
let raw: Etcd3;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  etcd = await startEtcd();
  raw = new Etcd3({ hosts: `http://${etcd.address}` });
}, 30_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  raw?.close();
  await etcd?.stop();
});

describe("etcd registry: etcd killed and restarted", () => {
  it("keeps calls working on cached nodes, warns once, renews after etcd returns, and resumes watches", async () => {
    const svc = uniqueName("outage");
    const serverLog = new RecordingLogger();
    const service: MicroService = createService(EchoModule, {
      name: svc,
      argv: ["--registry=etcd", `--registry_address=${etcd.address}`, "--register_ttl=3", `--register_interval=${REGISTER_INTERVAL_MS / 1000}`, "--broker=memory"],
      env: {},
      logger: serverLog,
    });
    await service.start();
    cleanups.push(() => service.stop());

    const clientLog = new RecordingLogger();
    const registry = new EtcdRegistry({ addresses: [etcd.address], retryMaxMs: 500, logger: clientLog });
    // A short cache TTL, so the outage outlasts it and the cache must serve stale records.
    const selector = new RegistrySelector({ registry, cacheTtlMs: 300, logger: clientLog });
    const transport = new TcpTransport({});
    const client = new RpcClient({ selector, transport, timeoutMs: 2000, logger: clientLog });
    cleanups.push(async () => {
      await client.close();
      await selector.close();
      await transport.close();
      await registry.close();
    });
    const watch = new EventLog();
    const watcher = await registry.watch(watch.listener, { service: svc });
    cleanups.push(() => watcher.stop());

    await expect(client.call(svc, "Echo.Ping", {})).resolves.toEqual({ ok: true });
    const [record] = (await registry.getService(svc)) as [ServiceRecord];
    const key = nodeKey("/micro/registry/", svc, record.nodes[0]!.id);

    await etcd.kill();
    let calls = 0;
    let failures = 0;
    // Longer than the registration TTL (3 s) and ten times the cache TTL.
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      calls++;
      await client.call(svc, "Echo.Ping", {}).catch(() => failures++);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect({ calls: calls > 20, failures }).toEqual({ calls: true, failures: 0 });
    expect(warnings(clientLog, "serving cached nodes")).toBe(1);
    expect(warnings(serverLog, "re-registration failed")).toBe(1);

    await etcd.restart();
    const back = Date.now();
    // Renewals resume: within one register interval the key is there on a live lease.
    await waitFor(async () => {
      const kv = (await raw.get(key).exec()).kvs[0];
      if (!kv || kv.lease === "0") return false;
      return Number((await raw.leaseClient.leaseTimeToLive({ ID: kv.lease })).TTL) > 0;
    }, REGISTER_INTERVAL_MS + 1500, "the registration to be live again");
    expect(Date.now() - back).toBeLessThan(REGISTER_INTERVAL_MS + 1500);
    await waitFor(() => serverLog.lines.some((l) => l.msg === "re-registration succeeded again"), REGISTER_INTERVAL_MS + 1500, "the renewal log line");

    // The watcher from before the outage still reports changes: no restart needed.
    const other = new EtcdRegistry({ addresses: [etcd.address] });
    cleanups.push(() => other.close());
    const extra: ServiceRecord = { ...record, nodes: [{ id: `${svc}-extra`, address: "127.0.0.1:9", metadata: {} }] };
    await other.register(extra, { ttlMs: 5000 });
    await watch.next((e) => e.action === "create" && e.service.nodes[0]?.id === `${svc}-extra`, 5000, "create after the restart");
    await other.deregister(extra);
    await watch.next((e) => e.action === "delete" && e.service.nodes[0]?.id === `${svc}-extra`, 5000, "delete after the restart");
    await expect(client.call(svc, "Echo.Ping", {})).resolves.toEqual({ ok: true });
  }, 40_000);

  it("restores a registration whose key was deleted behind its back within one register interval", async () => {
    const svc = uniqueName("outage-del");
    const service = createService(EchoModule, {
      name: svc,
      argv: ["--registry=etcd", `--registry_address=${etcd.address}`, "--register_ttl=5", `--register_interval=${REGISTER_INTERVAL_MS / 1000}`, "--broker=memory"],
      env: {},
      logger: new RecordingLogger(),
    });
    await service.start();
    cleanups.push(() => service.stop());
    const registry = new EtcdRegistry({ addresses: [etcd.address] });
    cleanups.push(() => registry.close());
    const watch = new EventLog();
    const watcher = await registry.watch(watch.listener, { service: svc });
    cleanups.push(() => watcher.stop());
    const [record] = (await registry.getService(svc)) as [ServiceRecord];

    await raw.delete().key(nodeKey("/micro/registry/", svc, record.nodes[0]!.id)).exec();
    await watch.next((e) => e.action === "delete", 5000, "the delete");
    const deletedAt = Date.now();
    await watch.next((e) => e.action === "create" && watch.events.indexOf(e) > 0, REGISTER_INTERVAL_MS + 1500, "the node registered again");
    expect(Date.now() - deletedAt).toBeLessThan(REGISTER_INTERVAL_MS + 1500);
    await expect(registry.getService(svc)).resolves.toEqual([record]);
  }, 30_000);

  it("retries a registration that failed while etcd was down, with backoff, until etcd is back", async () => {
    const svc = uniqueName("outage-retry");
    const logger = new RecordingLogger();
    const registry = new EtcdRegistry({ addresses: [etcd.address], retryMinMs: 100, retryMaxMs: 400, logger });
    cleanups.push(() => registry.close());
    const record: ServiceRecord = { name: svc, version: "1", endpoints: [], nodes: [{ id: `${svc}-1`, address: "127.0.0.1:9", metadata: {} }] };

    await etcd.kill();
    await expect(registry.register(record, { ttlMs: 5000 })).rejects.toMatchObject({ code: 503 });
    expect(warnings(logger, "etcd unreachable")).toBe(1);
    await etcd.restart();
    // Nobody calls register again: the registry's own retry puts the node back.
    await waitFor(async () => (await raw.get(nodeKey("/micro/registry/", svc, `${svc}-1`)).string()) !== null, 3000, "the retried registration");
    await waitFor(() => logger.lines.some((l) => l.msg === "etcd registration restored"), 1000, "the restored log line");
    await registry.deregister(record);
  }, 30_000);
});
