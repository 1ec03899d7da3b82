import type { NatsBroker } from "../../../src/broker/nats";
import { resolveConfig } from "../../../src/cmd/config";
import { createProvider } from "../../../src/di/providers";
import { SilentLogger } from "../../../src";
import { MemoryRegistry } from "../../../src/registry/memory";
import { Headers } from "../../../src/transport/headers";
import { Received } from "../../contract/broker.contract";
import { startNatsServer, type NatsServer } from "../../helpers/servers/nats";

describe("broker provider: nats", () => {
  let server: NatsServer;
  beforeAll(async () => (server = await startNatsServer()));
  afterAll(() => server.stop());

  const build = (argv: string[], env: Record<string, string>) => {
    const config = resolveConfig({ argv, env });
    return createProvider("broker", config.broker, { config, env, logger: new SilentLogger(), registry: () => new MemoryRegistry() }) as Promise<NatsBroker>;
  };

  it("is chosen by --broker=nats and connects to --broker_address", async () => {
    const broker = await build(["--broker=nats", `--broker_address=${server.url},nats://127.0.0.1:1`], {});
    expect(broker.name).toBe("nats");
    expect(broker.address).toBe(`${server.url},nats://127.0.0.1:1`);
    await broker.connect();
    const got = new Received();
    await broker.subscribe("provider.t", got.handler);
    await broker.publish("provider.t", { header: { [Headers.id]: "p1" }, body: Buffer.from("x") });
    await got.until(1);
    await broker.disconnect();
  });

  it("takes the env twins MICRO_BROKER and MICRO_BROKER_ADDRESS", async () => {
    const broker = await build([], { MICRO_BROKER: "nats", MICRO_BROKER_ADDRESS: server.url });
    expect(broker.address).toBe(server.url);
    await broker.connect();
    await broker.disconnect();
  });
});
