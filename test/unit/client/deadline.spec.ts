import { ErrorIds, MemoryRegistry, RegistrySelector, RpcClient, type Registry, type ServiceRecord } from "../../../src";
import { watchTimerDelays } from "../../helpers/timer-overflow";
import { FakeTransport, json } from "./cancel-fakes";

// Regression: the call's deadline did not bound the registry lookup or the dial. A 100 ms call
// to a node whose connect never completed waited for the 5 s dial timeout, and a registry whose
// getService hung held every call to that service for ever.

const HOUR = 3_600_000;

/** A memory registry whose getService never answers while `hang` is set. */
class HangingRegistry extends MemoryRegistry {
  hang = true;
  lookups = 0;
  override getService(name: string): Promise<ServiceRecord[]> {
    this.lookups++;
    if (this.hang) return new Promise<never>(() => undefined);
    return super.getService(name);
  }
}

async function withNode(registry: MemoryRegistry, address = "127.0.0.1:1"): Promise<void> {
  await registry.register({ name: "svc", version: "1", endpoints: [], nodes: [{ id: address, address, metadata: {} }] });
}

describe("a call's deadline bounds every wait", () => {
  it("fails with 408 when the dial never completes, long before the dial timeout", async () => {
    const registry = new MemoryRegistry();
    await withNode(registry);
    const transport = new FakeTransport("fake");
    transport.holdDials = true;
    const client = new RpcClient({ selector: new RegistrySelector({ registry }), transport, dialTimeoutMs: HOUR, retries: 0 });
    try {
      await expect(client.call("svc", "Svc.Do", {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 408, id: ErrorIds.timeout });
      expect(transport.sent).toEqual([]);
    } finally {
      transport.releaseDials();
      await client.close();
    }
  });

  it("lets other callers keep waiting for a dial one caller's deadline gave up on", async () => {
    const registry = new MemoryRegistry();
    await withNode(registry);
    const transport = new FakeTransport("fake", () => json("ok"));
    transport.holdDials = true;
    const client = new RpcClient({ selector: new RegistrySelector({ registry }), transport, dialTimeoutMs: HOUR, retries: 0 });
    try {
      const patient = client.call("svc", "Svc.Do", {}, { timeoutMs: HOUR });
      await expect(client.call("svc", "Svc.Do", {}, { timeoutMs: 20 })).rejects.toMatchObject({ code: 408 });
      transport.releaseDials();
      await expect(patient).resolves.toBe("ok");
      expect(transport.dials).toBe(1);
    } finally {
      await client.close();
    }
  });

  it("fails with 408 when the registry lookup hangs, and a later lookup is tried again", async () => {
    const registry = new HangingRegistry();
    await withNode(registry);
    const transport = new FakeTransport("fake", () => json("ok"));
    const selector = new RegistrySelector({ registry, lookupTimeoutMs: 30 });
    const client = new RpcClient({ selector, transport, retries: 0 });
    try {
      await expect(client.call("svc", "Svc.Do", {}, { timeoutMs: 10 })).rejects.toMatchObject({ code: 408, id: ErrorIds.timeout });
      // The second call shares the hung lookup, which is given up after lookupTimeoutMs; the third asks again.
      await expect(client.call("svc", "Svc.Do", {}, { timeoutMs: HOUR })).rejects.toMatchObject({ code: 503, detail: expect.stringContaining("registry lookup") });
      registry.hang = false;
      await expect(client.call("svc", "Svc.Do", {}, { timeoutMs: HOUR })).resolves.toBe("ok");
      expect(registry.lookups).toBe(2);
    } finally {
      await client.close();
      await selector.close();
    }
  });

  it("arms no overflowing timer for a huge lookup timeout (clamped), and still answers", async () => {
    const timers = watchTimerDelays();
    const registry: Registry = new MemoryRegistry();
    await withNode(registry as MemoryRegistry);
    const slow = Object.assign(Object.create(registry) as Registry, {
      getService: (name: string) => new Promise<ServiceRecord[]>((resolve) => setTimeout(() => resolve(registry.getService(name)), 20)),
    });
    const selector = new RegistrySelector({ registry: slow, lookupTimeoutMs: 2 ** 40 });
    const client = new RpcClient({ selector, transport: new FakeTransport("fake", () => json("ok")), retries: 0 });
    try {
      await expect(client.call("svc", "Svc.Do", {}, { timeoutMs: HOUR })).resolves.toBe("ok");
      expect(timers.overflows).toEqual([]);
    } finally {
      timers.restore();
      await client.close();
      await selector.close();
    }
  });
});
