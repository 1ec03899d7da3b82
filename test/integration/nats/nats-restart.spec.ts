import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killAll, ROOT, startProcess, type Child } from "../../helpers/processes";
import { startNatsServer, type NatsServer } from "../../helpers/servers/nats";
import { waitFor } from "../../helpers/wait";

// Needs dist/ (npx tsc -p tsconfig.build.json): the publisher and subscriber are separate processes.
const COUNT = 10_000;
const RATE = 1_000; // events per second: the stream lasts about 10 s

type Delivery = "at-least-once" | "at-most-once";
interface Outcome {
  distinct: number;
  duplicates: number;
  lost: number;
}

const fixture = (name: string): string => join(ROOT, "test", "fixtures", "nats", name);

describe("NATS restart tests (10,000 events, separate processes)", () => {
  let dir: string;
  let server: NatsServer | undefined;
  let seq = 0;

  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "tsmicro-nats-restart-"))));
  afterEach(async () => {
    await killAll();
    await server?.stop();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const subscriber = (url: string, topic: string, delivery: Delivery, file: string): Child =>
    startProcess(process.execPath, [fixture("subscriber.mjs"), url, topic, delivery, "restart", file]);

  async function received(file: string): Promise<string[]> {
    return (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean);
  }

  async function outcome(file: string, delivery: Delivery): Promise<Outcome> {
    // At-least-once: wait until every event arrived. At-most-once: until the last one did (the
    // stream is in order, so nothing earlier is still coming).
    const done = async (): Promise<boolean> => {
      const ids = await received(file);
      return delivery === "at-least-once" ? new Set(ids).size >= COUNT : ids.includes(`e${COUNT - 1}`);
    };
    await waitFor(done, 20_000, `${delivery} deliveries`).catch(() => undefined);
    const ids = await received(file);
    const distinct = new Set(ids).size;
    return { distinct, duplicates: ids.length - distinct, lost: COUNT - distinct };
  }

  async function run(delivery: Delivery, kill: "server" | "subscriber"): Promise<Outcome> {
    const jetstream = delivery === "at-least-once";
    server = await startNatsServer({ jetstream });
    const topic = `restart${process.pid}.r${++seq}`;
    const file = join(dir, "received.txt");
    let sub = subscriber(server.url, topic, delivery, file);
    await sub.waitFor(/ready/);
    const pub = startProcess(process.execPath, [fixture("publisher.mjs"), server.url, topic, String(COUNT), String(RATE), jetstream ? "on" : "off"]);
    await pub.waitFor(/progress 3000/, 20_000);
    if (kill === "server") {
      await server.kill();
      await pub.waitFor(/retrying e\d+/, 10_000); // the outage is real: a publish failed
      await server.restart();
    } else {
      sub.process.kill("SIGKILL");
      await sub.exited;
      await pub.waitFor(/progress 4000/, 20_000);
      sub = subscriber(server.url, topic, delivery, file);
      await sub.waitFor(/ready/);
    }
    const [, retries] = (await pub.waitFor(/done published=\d+ retries=(\d+)/, 25_000)) as unknown as [string, string];
    const result = await outcome(file, delivery);
    console.log(`nats ${delivery}, ${kill} SIGKILLed mid-stream: published ${COUNT} (publisher retries ${retries}), distinct ${result.distinct}, duplicates ${result.duplicates}, lost ${result.lost}`);
    return result;
  }

  it("at-least-once (JetStream): every event arrives across a nats-server SIGKILL and restart", async () => {
    const r = await run("at-least-once", "server");
    expect(r.distinct).toBe(COUNT);
  }, 60_000);

  it("at-least-once (JetStream): every event arrives across a subscriber SIGKILL and restart", async () => {
    const r = await run("at-least-once", "subscriber");
    expect(r.distinct).toBe(COUNT);
  }, 60_000);

  it("at-most-once (core NATS): measures the loss across a nats-server SIGKILL and restart", async () => {
    const r = await run("at-most-once", "server");
    expect(r.distinct).toBeGreaterThan(0);
  }, 60_000);

  it("at-most-once (core NATS): measures the loss across a subscriber SIGKILL and restart", async () => {
    const r = await run("at-most-once", "subscriber");
    expect(r.distinct).toBeGreaterThan(0);
  }, 60_000);
});
