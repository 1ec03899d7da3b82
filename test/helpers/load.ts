import { MicroError, RegistrySelector, type Client, type Node } from "../../src";

/** A selector that counts successful calls per node address. */
export class CountingSelector extends RegistrySelector {
  readonly served = new Map<string, number>();

  override mark(service: string, node: Node, error?: Error): void {
    if (!error) this.served.set(node.address, (this.served.get(node.address) ?? 0) + 1);
    super.mark(service, node, error);
  }

  /** Successful calls over every node. */
  total(): number {
    let n = 0;
    for (const v of this.served.values()) n += v;
    return n;
  }
}

/** What a load run counted: successes, and each failure as its MicroError text. */
export interface LoadResult {
  ok: number;
  failed: string[];
}

/** Calls `service`'s Greeter.Hello from `workers` loops until stopped. */
export function load(client: Client, service: string, workers = 4): { stop(): Promise<LoadResult> } {
  let running = true;
  const result: LoadResult = { ok: 0, failed: [] };
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        await client.call(service, "Greeter.Hello", { name: "load" });
        result.ok++;
      } catch (err) {
        result.failed.push(MicroError.is(err) ? err.toString() : String(err));
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}
