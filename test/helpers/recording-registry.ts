import { MemoryRegistry, type ServiceRecord } from "../../src";

/** A memory registry that records its lifecycle calls, in order, into `log`. */
export class RecordingRegistry extends MemoryRegistry {
  constructor(private readonly log: string[]) {
    super();
  }

  override async register(s: ServiceRecord, o?: { ttlMs?: number }): Promise<void> {
    this.log.push(`register ttl=${o?.ttlMs}`);
    return super.register(s, o);
  }

  override async deregister(s: ServiceRecord): Promise<void> {
    this.log.push("deregister");
    return super.deregister(s);
  }

  override async close(): Promise<void> {
    this.log.push("registry close");
    return super.close();
  }
}
