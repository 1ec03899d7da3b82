import { randomUUID } from "node:crypto";
import { createClient, createService, Handler, Module, Service, SilentLogger, type MicroService, type StandaloneClient } from "../../src";
import { ConsulTestServer } from "../helpers/consul-server";
import { waitFor } from "../helpers/wait";

// Outage behaviour of the consul registry with a real service and client in one process: the
// Consul test server goes away (and comes back having lost its state, as a restarted dev agent
// does) while calls keep flowing.

const NAME = `consul-outage-${randomUUID().slice(0, 8)}`;
const INTERVAL_MS = 2000;

@Service(NAME, { version: "1.0.0" })
class Echo {
  private readonly instance = randomUUID();
  @Handler({ validate: false })
  async who(): Promise<{ instance: string }> {
    return { instance: this.instance };
  }
}
@Module({ services: [Echo] })
class EchoModule {}

describe("consul registry outage (test server killed and restarted)", () => {
  let server: ConsulTestServer;
  const services: MicroService[] = [];
  let client: StandaloneClient;
  const opts = (): { argv: string[]; env: Record<string, string>; logger: SilentLogger } => ({
    argv: ["--registry=consul", `--registry_address=${server.address}`, "--broker=memory", `--register_interval=${INTERVAL_MS}ms`, "--register_ttl=6s"],
    env: {},
    logger: new SilentLogger(),
  });
  const call = async (): Promise<string> => ((await client.client.call(NAME, "Echo.Who", {})) as { instance: string }).instance;

  beforeAll(async () => {
    server = await ConsulTestServer.start();
    services.push(createService(EchoModule, opts()));
    await services[0]!.start();
    client = await createClient(opts());
  });
  afterAll(async () => {
    await client?.close();
    for (const s of services) await s.stop();
    await server.close();
  });

  it("keeps calling with cached nodes while the agent is down, re-registers within one interval after it returns, and the watch resumes", async () => {
    const first = await call();
    await server.kill();
    // Down for longer than one re-registration interval: every call still lands (stale but usable nodes).
    const deadline = Date.now() + INTERVAL_MS + 500;
    let calls = 0;
    while (Date.now() < deadline) {
      await expect(call()).resolves.toBe(first);
      calls += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(calls).toBeGreaterThan(5);

    await server.restart(); // state lost: nothing is registered
    expect(server.state.serviceIds()).toEqual([]);
    await waitFor(() => server.state.serviceIds().length === 1, INTERVAL_MS + 1500, "the service re-registered within one interval");
    await waitFor(() => server.state.checkStatus(`service:${server.state.serviceIds()[0]}`) === "passing", 2000, "its check passing");

    // The client's watch follows the restarted agent: a node started now is found and called.
    services.push(createService(EchoModule, opts()));
    await services[1]!.start();
    await waitFor(async () => (await call()) !== first, 10_000, "a call reaching the new node");
    await expect(call()).resolves.toEqual(expect.any(String));
  });
});
