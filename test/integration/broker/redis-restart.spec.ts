import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killAll, ROOT, startProcess, type Child } from "../../helpers/processes";
import { startRedisServer, type RedisServer } from "../../helpers/servers/redis";

// Issue 9's restart tests for Redis, with separate processes: a publisher sends 10,000 numbered
// events at a steady rate (retrying a failed publish, as an at-least-once user does) while
// (a) redis-server is SIGKILLed and restarted mid-stream, and (b) the subscriber processes are
// SIGKILLed and restarted. At-least-once must deliver every id (duplicates are counted and
// printed); at-most-once loss is measured and printed, not asserted.
// Needs `npx tsc -p tsconfig.build.json` first (the scripts require dist/).

const COUNT = 10_000;
const RATE = 1000; // events per second
const INDEX = JSON.stringify(join(ROOT, "dist", "src", "index.js"));

const PUBLISHER = `
const { RedisBroker } = require(${INDEX});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  const broker = new RedisBroker({ url: process.env.URL, publishTimeoutMs: 1000 });
  await broker.connect();
  const count = Number(process.env.COUNT), interval = 1000 / Number(process.env.RATE);
  let failed = 0;
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * interval - Date.now();
    if (wait > 0) await sleep(wait);
    for (;;) {
      try {
        await broker.publish(process.env.TOPIC, { header: { "Micro-Id": "e" + i }, body: Buffer.from(String(i)) });
        break;
      } catch {
        failed++;
        await sleep(50);
      }
    }
    if (i % 1000 === 999) console.log("progress " + (i + 1));
  }
  console.log("done failed=" + failed);
  await broker.disconnect();
})().catch((err) => { console.error(err); process.exit(1); });
`;

const SUBSCRIBER = `
const { RedisBroker } = require(${INDEX});
(async () => {
  const broker = new RedisBroker({ url: process.env.URL, consumer: "restart-consumer", visibilityTimeoutMs: 1000, claimIntervalMs: 250, blockMs: 500 });
  await broker.connect();
  const options = process.env.MODE === "at-least-once" ? { queue: "restart", delivery: "at-least-once" } : {};
  // A pipe write is synchronous on Linux: a line printed before the ack survives a SIGKILL after it.
  await broker.subscribe(process.env.TOPIC, async (ev) => void process.stdout.write("got " + ev.message.header["Micro-Id"] + "\\n"), options);
  console.log("ready");
})().catch((err) => { console.error(err); process.exit(1); });
`;

type Mode = "at-least-once" | "at-most-once";

/** A subscriber process that can be SIGKILLed and started again, keeping every incarnation's output. */
class Subscriber {
  private children: Child[] = [];
  constructor(
    private readonly script: string,
    private readonly env: Record<string, string>,
    /** Every child started, for the teardown to kill. */
    private readonly started: Child[],
  ) {}

  async start(): Promise<void> {
    const child = startProcess(process.execPath, [this.script], { env: { ...process.env, ...this.env } });
    this.children.push(child);
    this.started.push(child);
    await child.waitFor(/ready/, 15_000);
  }

  async kill(): Promise<void> {
    const child = this.children[this.children.length - 1]!;
    child.process.kill("SIGKILL");
    await child.exited;
  }

  /** Every id received, with repeats. */
  ids(): string[] {
    return this.children.flatMap((c) => [...c.stdout().matchAll(/^got (e\d+)$/gm)].map((m) => m[1]!));
  }

  /** Resolves once `done(ids)` holds, polling the output (the event is the child's writing), or after `ms`. */
  async until(done: (ids: string[]) => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done(this.ids()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
}

function report(scenario: string, mode: Mode, ids: string[]): { distinct: number; duplicates: number; lost: number } {
  const distinct = new Set(ids).size;
  const counts = { distinct, duplicates: ids.length - distinct, lost: COUNT - distinct };
  console.log(`redis restart (${scenario}) ${mode}: published ${COUNT}, received ${ids.length}, distinct ${distinct}, duplicates ${counts.duplicates}, lost ${counts.lost}`);
  return counts;
}

describe("redis broker across restarts (real processes)", () => {
  let dir: string;
  let server: RedisServer | undefined;
  const children: Child[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsmicro-redis-restart-"));
    writeFileSync(join(dir, "publisher.js"), PUBLISHER);
    writeFileSync(join(dir, "subscriber.js"), SUBSCRIBER);
  });

  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.process.exitCode !== null || c.process.signalCode !== null) continue;
      c.process.kill("SIGKILL");
      await c.exited;
    }
    await server?.stop();
  });

  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function scenario(name: string, outage: (subs: Subscriber[]) => Promise<void>): Promise<Record<Mode, string[]>> {
    server = await startRedisServer({ durable: true });
    const topic = `restart.${randomUUID()}`;
    const env = { URL: server.url, TOPIC: topic, MICRO_LOG_LEVEL: "silent" };
    const subs = (["at-least-once", "at-most-once"] as const).map((MODE) => new Subscriber(join(dir, "subscriber.js"), { ...env, MODE }, children));
    await Promise.all(subs.map((s) => s.start()));
    const publisher = startProcess(process.execPath, [join(dir, "publisher.js")], { env: { ...process.env, ...env, COUNT: String(COUNT), RATE: String(RATE) } });
    children.push(publisher);
    await publisher.waitFor(/progress 3000/, 20_000);
    await outage(subs);
    const done = await publisher.waitFor(/done failed=(\d+)/, 30_000);
    console.log(`redis restart (${name}): the publisher retried ${done[1]} failed publishes`);
    const [alo, amo] = subs as [Subscriber, Subscriber];
    await alo.until((ids) => new Set(ids).size >= COUNT, 15_000);
    await amo.until((ids) => ids.includes(`e${COUNT - 1}`), 5_000);
    await Promise.all(subs.map((s) => s.kill()));
    return { "at-least-once": alo.ids(), "at-most-once": amo.ids() };
  }

  it("at-least-once delivers all 10,000 events while redis-server is SIGKILLed and restarted mid-stream", async () => {
    const got = await scenario("redis-server SIGKILL", async () => {
      await server!.kill();
      await new Promise((r) => setTimeout(r, 1000)); // the outage the publisher lives through
      await server!.restart();
    });
    report("redis-server SIGKILL", "at-most-once", got["at-most-once"]);
    expect(report("redis-server SIGKILL", "at-least-once", got["at-least-once"]).distinct).toBe(COUNT);
  }, 90_000);

  it("at-least-once delivers all 10,000 events while the subscriber processes are SIGKILLed and restarted", async () => {
    const got = await scenario("subscriber SIGKILL", async (subs) => {
      await Promise.all(subs.map((s) => s.kill()));
      await new Promise((r) => setTimeout(r, 1000)); // the subscribers' downtime
      await Promise.all(subs.map((s) => s.start()));
    });
    report("subscriber SIGKILL", "at-most-once", got["at-most-once"]);
    expect(report("subscriber SIGKILL", "at-least-once", got["at-least-once"]).distinct).toBe(COUNT);
  }, 90_000);
});
