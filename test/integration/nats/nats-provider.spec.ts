import type { NatsBroker } from "../../../src/broker/nats";
import { resolveConfig } from "../../../src/cmd/config";
import { createProvider } from "../../../src/di/providers";
import { SilentLogger } from "../../../src";
import { MemoryRegistry } from "../../../src/registry/memory";
import { Headers } from "../../../src/transport/headers";
import { Received } from "../../contract/broker.contract";
import { startNatsServer, type NatsServer } from "../../helpers/servers/nats";
import { ROOT, runProcess } from "../../helpers/processes";

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

  it("takes MICRO_BROKER_JETSTREAM=auto|on|off and refuses anything else", async () => {
    const js = await startNatsServer({ jetstream: true });
    try {
      const off = await build(["--broker=nats", `--broker_address=${js.url}`], { MICRO_BROKER_JETSTREAM: "off" });
      await off.connect();
      expect(off.jetstream).toBe(false);
      await off.disconnect();
      const auto = await build(["--broker=nats", `--broker_address=${js.url}`], {});
      await auto.connect();
      expect(auto.jetstream).toBe(true);
      await auto.disconnect();
      await expect(build(["--broker=nats"], { MICRO_BROKER_JETSTREAM: "sometimes" })).rejects.toThrow(/MICRO_BROKER_JETSTREAM/);
    } finally {
      await js.stop();
    }
  });
});

describe("the NATS subpaths", () => {
  it("export NatsBroker and NatsTransport as tsmicro/broker/nats and tsmicro/transport/nats", async () => {
    // A package may require itself by name through its "exports" map: this checks that map.
    const code =
      'const b = require("tsmicro/broker/nats"); const t = require("tsmicro/transport/nats"); const m = require("tsmicro");' +
      'process.stdout.write([typeof b.NatsBroker, typeof t.NatsTransport, typeof m.NatsBroker].join(" "))';
    await expect(runProcess(process.execPath, ["-e", code], { cwd: ROOT })).resolves.toMatchObject({ code: 0, stdout: "function function undefined" });
  });
});
