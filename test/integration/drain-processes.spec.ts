import { randomUUID } from "node:crypto";
import { ErrorIds, RpcClient, SilentLogger, createClient, retryOnDraining, type RetryPolicy, type StandaloneClient } from "../../src";
import { CountingSelector, load, type LoadResult } from "../helpers/load";
import { killAll, startNode, type Child } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// Regression for "drain that really loses nothing": a node SIGTERMed under steady load must
// answer every request that reached it, or refuse it with 503 tsmicro.draining. The client
// retries ONLY that refusal (it proves no handler ran), so any dropped request shows up as a
// failed call instead of being re-sent blind.
const NAME = `drain-${randomUUID().slice(0, 8)}`;
const env = { MICRO_SERVER_NAME: NAME, MICRO_REGISTER_TTL: "3", MICRO_REGISTER_INTERVAL: "1" };
const CALLERS = 16;

describe("graceful drain across processes (tcp transport, mDNS on loopback)", () => {
  let standalone: StandaloneClient;
  let selector: CountingSelector;
  let client: RpcClient;
  let nodes: Child[];
  let drainingRetries = 0;

  beforeAll(async () => {
    nodes = [0, 1, 2].map(() => startNode("samples/greeter/service.js", [], env));
    await Promise.all(nodes.map((n) => n.waitFor(/ready at (\S+)/)));
    standalone = await createClient({ argv: [], env: { MICRO_BROKER: "memory" }, logger: new SilentLogger() });
    selector = new CountingSelector({ registry: standalone.registry });
    const retry: RetryPolicy = (error, attempt, request) => {
      const again = retryOnDraining(error, attempt, request);
      if (again) drainingRetries++;
      return again;
    };
    client = new RpcClient({ selector, transport: standalone.transport, retries: 3, retry });
    await waitFor(async () => (await standalone.registry.getService(NAME)).flatMap((s) => s.nodes).length === 3, 10_000, "three nodes registered");
  });

  afterAll(async () => {
    await client?.close();
    await selector?.close();
    await standalone?.close();
    await killAll();
  });

  it("loses no call when one of three nodes is SIGTERMed under 16 concurrent callers, and it exits 0", async () => {
    const running = load(client, NAME, CALLERS);
    let result: LoadResult;
    try {
      const addresses = nodes.map((n) => /ready at (\S+)/.exec(n.stdout())![1]!);
      await waitFor(() => addresses.every((a) => (selector.served.get(a) ?? 0) > 50), 10_000, "calls reaching all three nodes");
      const victim = nodes[0]!;
      victim.process.kill("SIGTERM");
      expect(await victim.exited).toBe(0);
      const mark = selector.total();
      await waitFor(() => selector.total() > mark + 500, 10_000, "calls continuing on the other nodes");
    } finally {
      result = await running.stop();
    }
    const { ok, failed } = result;
    // Printed so a run shows how many refusals the drain produced (each retried safely).
    process.stdout.write(`drain: ${ok} calls ok, ${failed.length} failed, ${drainingRetries} ${ErrorIds.draining} retries\n${failed.slice(0, 3).join("\n")}\n`);
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(500);
  });
});
