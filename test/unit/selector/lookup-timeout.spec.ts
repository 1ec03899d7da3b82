import { ErrorIds, MemoryRegistry, RegistrySelector, type ServiceRecord } from "../../../src";

// Regression: a registry whose getService hung held the selector's one shared lookup for that
// service for ever, so every later call waited on it too.

/** A memory registry whose getService never answers while `hang` is set. */
class HangingRegistry extends MemoryRegistry {
  hang = false;
  override getService(name: string): Promise<ServiceRecord[]> {
    if (this.hang) return new Promise<never>(() => undefined);
    return super.getService(name);
  }
}

const record: ServiceRecord = { name: "svc", version: "1", endpoints: [], nodes: [{ id: "a", address: "127.0.0.1:1", metadata: {} }] };

describe("RegistrySelector lookups", () => {
  it("give up a hung lookup after lookupTimeoutMs with a 503 naming the service", async () => {
    const registry = new HangingRegistry();
    registry.hang = true;
    const selector = new RegistrySelector({ registry, lookupTimeoutMs: 20 });
    await expect(Promise.resolve(selector.select("svc"))).rejects.toMatchObject({ code: 503, id: ErrorIds.unavailable, detail: 'registry lookup of "svc" took longer than 20ms' });
    await selector.close();
  });

  it("serve the cached nodes when a refresh hangs", async () => {
    const registry = new HangingRegistry();
    await registry.register(record);
    const selector = new RegistrySelector({ registry, lookupTimeoutMs: 20, cacheTtlMs: 1 });
    expect((await selector.select("svc"))().id).toBe("a");
    registry.hang = true;
    await new Promise((r) => setTimeout(r, 5)); // past the 1 ms TTL
    expect((await selector.select("svc"))().id).toBe("a");
    await selector.close();
  });
});
