import { MemoryRegistry, serviceUnavailable, type ServiceRecord } from "../../../src";
import { RegistryCache } from "../../../src/registry/cache";
import { RecordingLogger } from "../../helpers/recording-logger";

// Regression: while the registry was down, every call after the cache TTL waited on its own
// failing (or hanging) lookup and logged one warning per call.

type Mode = "up" | "failing" | "hanging";

/** A memory registry whose getService fails or never answers on demand, counting lookups. */
class FlakyRegistry extends MemoryRegistry {
  mode: Mode = "up";
  lookups = 0;
  override getService(name: string): Promise<ServiceRecord[]> {
    this.lookups++;
    if (this.mode === "failing") return Promise.reject(serviceUnavailable("etcd registry (127.0.0.1:1): getService failed"));
    if (this.mode === "hanging") return new Promise<never>(() => undefined);
    return super.getService(name);
  }
}

const node = (id: string) => ({ id, address: "127.0.0.1:1", metadata: {} });
const record = (...ids: string[]): ServiceRecord => ({ name: "svc", version: "1", endpoints: [], nodes: ids.map(node) });
const ids = (records: ServiceRecord[]): string[] => records.flatMap((r) => r.nodes.map((n) => n.id));

describe("RegistryCache while the registry is down", () => {
  it("serves the cached nodes without waiting on lookups, warns once, and says when lookups work again", async () => {
    const registry = new FlakyRegistry();
    await registry.register(record("a"));
    const logger = new RecordingLogger();
    // TTL 0: every get is past the TTL, so every get wants a lookup.
    const cache = new RegistryCache(registry, 0, logger);
    expect(ids(await cache.get("svc"))).toEqual(["a"]);

    registry.mode = "failing";
    expect(ids(await cache.get("svc"))).toEqual(["a"]);
    // From now on a lookup would never answer: a call that waited on one would never resolve.
    registry.mode = "hanging";
    for (let i = 0; i < 20; i++) expect(ids(await cache.get("svc"))).toEqual(["a"]);
    const warnings = logger.lines.filter((l) => l.level === "warn");
    expect(warnings.map((l) => l.msg)).toEqual(["registry lookup failed; serving cached nodes until it answers again"]);
    expect(warnings[0]!.fields).toMatchObject({ service: "svc", registry: "memory" });
    // One lookup in flight at a time, not one per call.
    expect(registry.lookups).toBe(3);

    await cache.close();
  });

  it("refreshes in the background once the registry answers again", async () => {
    const registry = new FlakyRegistry();
    await registry.register(record("a"));
    const logger = new RecordingLogger();
    const cache = new RegistryCache(registry, 0, logger);
    await cache.get("svc");
    registry.mode = "failing";
    await cache.get("svc");
    await cache.get("svc"); // stale, and starts a background lookup that fails too

    registry.mode = "up";
    await registry.deregister(record("a"));
    await registry.register(record("b"));
    // The watch already applied the change; the lookup behind this call runs in the background.
    expect(ids(await cache.get("svc"))).toEqual(["b"]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ids(await cache.get("svc"))).toEqual(["b"]);
    expect(logger.lines.filter((l) => l.level === "info").map((l) => l.msg)).toEqual(["registry lookups succeed again; cached nodes refreshed"]);
    expect(logger.lines.filter((l) => l.level === "warn")).toHaveLength(1);
    await cache.close();
  });

  it("still fails a lookup when nothing was ever cached", async () => {
    const registry = new FlakyRegistry();
    registry.mode = "failing";
    const cache = new RegistryCache(registry, 0, new RecordingLogger());
    await expect(cache.get("svc")).rejects.toMatchObject({ code: 503 });
    await cache.close();
  });
});
