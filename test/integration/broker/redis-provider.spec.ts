import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { SilentLogger, createClient } from "../../../src";
import { RedisBroker } from "../../../src/broker/redis";
import { Received } from "../../contract/broker.contract";
import { ROOT, runProcess } from "../../helpers/processes";
import { startRedisServer, type RedisServer } from "../../helpers/servers/redis";

let server: RedisServer;
let listener: RedisBroker;
beforeAll(async () => {
  server = await startRedisServer();
  listener = new RedisBroker({ url: server.url });
  await listener.connect();
});
afterAll(async () => {
  await listener?.disconnect();
  await server?.stop();
});

describe("broker: redis provider", () => {
  for (const [how, argv, env] of [
    ["flags", (url: string) => ["--registry=memory", "--broker=redis", `--broker_address=${url}`], () => ({})],
    ["env twins", () => [], (url: string) => ({ MICRO_REGISTRY: "memory", MICRO_BROKER: "redis", MICRO_BROKER_ADDRESS: url })],
  ] as const) {
    it(`is chosen by ${how} and publishes through the server`, async () => {
      const topic = `provider.${randomUUID()}`;
      const got = new Received();
      await listener.subscribe(topic, got.handler);
      const c = await createClient({ argv: argv(server.url), env: env(server.url), logger: new SilentLogger() });
      try {
        expect(c.broker.name).toBe("redis");
        expect(c.broker.address).toBe(server.url);
        await c.client.publish(topic, { id: "u1" }, { headers: { "X-Origin": "provider-test" } });
        await got.until(1);
        expect(JSON.parse(got.events[0]!.message.body.toString())).toEqual({ id: "u1" });
        expect(got.events[0]!.message.header["X-Origin"]).toBe("provider-test");
      } finally {
        await c.close();
      }
    });
  }

  it("fails a client's start clearly, within the connect timeout, when no redis answers", async () => {
    const down = await startRedisServer();
    await down.stop();
    const started = Date.now();
    const err: unknown = await createClient({ argv: ["--registry=memory", "--broker=redis", `--broker_address=${down.url}`], env: {}, logger: new SilentLogger() }).catch((e: unknown) => e);
    expect(String(err)).toContain(`cannot reach ${down.url}`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  // Needs `npx tsc -p tsconfig.build.json` first (the CLI runs from dist/).
  it("micro --broker=redis --broker_address=… publish TOPIC JSON reaches a subscriber", async () => {
    const topic = `cli.${randomUUID()}`;
    const got = new Received();
    await listener.subscribe(topic, got.handler);
    const cli = join(ROOT, "dist", "src", "cli", "main.js");
    const result = await runProcess(process.execPath, [cli, "--registry=memory", "--broker=redis", `--broker_address=${server.url}`, "publish", topic, '{"id":"cli-1"}'], { timeoutMs: 20_000 });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`published to ${topic}\n`);
    expect(result.code).toBe(0);
    await got.until(1);
    expect(JSON.parse(got.events[0]!.message.body.toString())).toEqual({ id: "cli-1" });
  });
});
