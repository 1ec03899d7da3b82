import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MicroError } from "../../../src/errors";
import { RabbitMqBroker } from "../../../src/broker/rabbitmq";
import { ROOT, killAll, startProcess, type Child } from "../../helpers/processes";
import { startRabbitMq, type RabbitMqServer } from "../../helpers/servers/rabbitmq";
import { waitFor } from "../../helpers/wait";

// Issue 9's restart tests on RabbitMQ, with real processes (compiled dist/, so run
// `npx tsc -p tsconfig.build.json` first): a publisher sends 10,000 numbered events at a steady
// rate, retrying every publish the broker did not confirm, while (a) the broker is SIGKILLed and
// restarted, (b) the subscriber process is SIGKILLed and restarted. One subscriber process holds
// an at-least-once subscription (a queue group: its durable queue is what survives) and an
// at-most-once one (group-less: an exclusive queue). At-least-once must see every id; the
// duplicates and the at-most-once loss are measured and printed.

const COUNT = 10_000;
const RATE = 2_000; // events per second
const DIST = JSON.stringify(join(ROOT, "dist", "src", "broker", "rabbitmq", "index.js"));

const PUBLISHER = `
const { RabbitMqBroker } = require(${DIST});
const [url, topic, count, rate] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
(async () => {
  const broker = new RabbitMqBroker({ url, publishTimeoutMs: 1000, reconnect: { initialMs: 50, maxMs: 250 } });
  await broker.connect();
  let retries = 0, inflight = 0;
  const slots = [];
  const send = async (i) => {
    for (;;) {
      try {
        await broker.publish(topic, { header: { "Micro-Id": String(i) }, body: Buffer.from(String(i)) });
        return;
      } catch {
        retries++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    while (inflight >= 256) await new Promise((r) => slots.push(r));
    inflight++;
    send(i).finally(() => { inflight--; slots.shift()?.(); });
    if (i % 500 === 0) process.stdout.write("sent " + i + "\\n");
  }
  while (inflight > 0) await new Promise((r) => slots.push(r));
  // Sent after every numbered event was confirmed: a subscriber that has it has had its chance at all of them.
  await send("end");
  process.stdout.write("published " + count + " retries " + retries + " ms " + (Date.now() - start) + "\\n");
  await broker.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
`;

const SUBSCRIBER = `
const { RabbitMqBroker } = require(${DIST});
const [url, topic] = [process.argv[2], process.argv[3]];
(async () => {
  const broker = new RabbitMqBroker({ url, reconnect: { initialMs: 50, maxMs: 250 } });
  await broker.connect();
  // A synchronous write to the pipe before the handler resolves: a line printed is a line the test sees, even after SIGKILL.
  const record = (tag) => async (e) => { process.stdout.write(tag + " " + e.message.header["Micro-Id"] + " " + e.delivery.attempt + "\\n"); };
  await broker.subscribe(topic, record("alo"), { queue: "restart", delivery: "at-least-once" });
  await broker.subscribe(topic, record("amo"), { delivery: "at-most-once" });
  process.stdout.write("ready\\n");
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface Tally {
  distinct: number;
  duplicates: number;
}

/** Counts the ids one subscription (`alo` or `amo`) printed across every subscriber process. */
function tally(outputs: string[], tag: string): Tally {
  const seen = new Set<string>();
  let lines = 0;
  for (const out of outputs) {
    for (const m of out.matchAll(new RegExp(`^${tag} (\\d+) \\d+$`, "gm"))) {
      lines++;
      seen.add(m[1]!);
    }
  }
  return { distinct: seen.size, duplicates: lines - seen.size };
}

describe("RabbitMQ restart tests: 10,000 events, real processes", () => {
  let server: RabbitMqServer;
  let dir: string;
  const run = randomUUID().slice(0, 8);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tsmicro-rmq-restart-"));
    writeFileSync(join(dir, "publisher.js"), PUBLISHER);
    writeFileSync(join(dir, "subscriber.js"), SUBSCRIBER);
    server = await startRabbitMq();
  }, 120_000);

  afterAll(async () => {
    await killAll();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const subscriber = async (topic: string): Promise<Child> => {
    const child = startProcess(process.execPath, [join(dir, "subscriber.js"), server.url, topic]);
    await child.waitFor(/^ready$/m, 30_000);
    return child;
  };
  const publisher = (topic: string): Child => startProcess(process.execPath, [join(dir, "publisher.js"), server.url, topic, String(COUNT), String(RATE)]);

  /** Waits until the at-least-once subscription saw every id (and a little more, for late duplicates) and reports. */
  async function finish(what: string, pub: Child, subs: Child[]): Promise<void> {
    await pub.waitFor(/^published \d+ retries \d+ ms \d+$/m, 120_000);
    const outputs = (): string[] => subs.map((s) => s.stdout());
    await waitFor(() => tally(outputs(), "alo").distinct === COUNT, 60_000, `${COUNT} distinct at-least-once ids`);
    // The at-most-once subscription reads another queue: it is done when the end marker arrives.
    await subs.at(-1)!.waitFor(/^amo end /m, 30_000);
    const [alo, amo] = [tally(outputs(), "alo"), tally(outputs(), "amo")];
    const summary = /published \d+ retries (\d+) ms (\d+)/.exec(pub.stdout())!;
    console.log(
      `RabbitMQ restart test, ${what}: published ${COUNT} at ${RATE}/s in ${summary[2]} ms (${summary[1]} publish retries); ` +
        `at-least-once: ${alo.distinct} distinct, ${alo.duplicates} duplicates; ` +
        `at-most-once: ${amo.distinct} received, ${COUNT - amo.distinct} lost, ${amo.duplicates} duplicates`,
    );
    expect(alo.distinct).toBe(COUNT);
  }

  it("(a) the broker is SIGKILLed and restarted mid-stream", async () => {
    const topic = `restart.${run}.broker`;
    const sub = await subscriber(topic);
    const pub = publisher(topic);
    const probe = new RabbitMqBroker({ url: server.url });
    await probe.connect();
    await pub.waitFor(/^sent 3000$/m);
    await server.kill();
    // While it is down, a publish fails with a MicroError within its deadline; it never hangs.
    const started = Date.now();
    const err = await probe
      .publish(topic, { header: {}, body: Buffer.from("probe") }, { timeoutMs: 500 })
      .catch((e: unknown) => e)
      .finally(() => probe.disconnect());
    const failedAfterMs = Date.now() - started;
    expect(MicroError.is(err) && err.code).toBe(503);
    expect(failedAfterMs).toBeLessThan(2000);
    await server.restart();
    await finish("broker SIGKILLed", pub, [sub]);
  }, 180_000);

  it("(b) the subscriber process is SIGKILLed and restarted mid-stream", async () => {
    const topic = `restart.${run}.subscriber`;
    const first = await subscriber(topic);
    const pub = publisher(topic);
    await pub.waitFor(/^sent 3000$/m);
    first.process.kill("SIGKILL");
    await first.exited;
    const second = await subscriber(topic);
    await finish("subscriber SIGKILLed", pub, [first, second]);
  }, 180_000);
});
