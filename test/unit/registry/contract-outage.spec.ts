import { MemoryRegistry } from "../../../src/registry/memory";
import type { RegisterOptions, Registry, ServiceRecord, WatchEvent, WatchOptions, Watcher } from "../../../src/registry/registry";
import { serviceUnavailable } from "../../../src/errors";
import { describeRegistryContract } from "../../contract/registry.contract";

/**
 * A memory registry behind a switch that makes every call fail with 503 while "down", as a
 * client of an unreachable server would; watchers stay subscribed. It exercises the contract's
 * outage test without a server, so the test itself is known to work before a real backend uses it.
 */
class SwitchableRegistry implements Registry {
  readonly name = "switchable-memory";
  down = false;
  private readonly inner = new MemoryRegistry();

  private check(): void {
    if (this.down) throw serviceUnavailable("registry unreachable");
  }
  async register(service: ServiceRecord, options?: RegisterOptions): Promise<void> {
    this.check();
    return this.inner.register(service, options);
  }
  async deregister(service: ServiceRecord): Promise<void> {
    this.check();
    return this.inner.deregister(service);
  }
  async getService(name: string): Promise<ServiceRecord[]> {
    this.check();
    return this.inner.getService(name);
  }
  async listServices(): Promise<ServiceRecord[]> {
    this.check();
    return this.inner.listServices();
  }
  async watch(listener: (event: WatchEvent) => void, options?: WatchOptions): Promise<Watcher> {
    this.check();
    return this.inner.watch(listener, options);
  }
  async close(): Promise<void> {
    return this.inner.close();
  }
}

let current: SwitchableRegistry | undefined;
describeRegistryContract(
  "memory behind an outage switch",
  () => (current = new SwitchableRegistry()),
  {
    outage: {
      interrupt: async () => void (current!.down = true),
      restore: async () => void (current!.down = false),
    },
  },
);
