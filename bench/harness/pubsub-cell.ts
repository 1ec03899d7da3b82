import { nowMs, type Progress, type Usage } from "../ipc";
import type { PubSubRow } from "../results";
import { serverKindOf, type PubSubSystem } from "../systems";
import { serverOf, type RunningServers } from "./broker-servers";
import { BenchChild } from "./children";
import { machineCpu, otherLoad } from "./machine-load";

/** How the pub/sub scenario runs. */
export interface PubSubPlan {
  count: number;
  /** Events per publishBatch call. */
  batch: number;
  /** The publisher stops sending after this long, ms. */
  publishDeadlineMs: number;
  /** Stragglers: stop waiting once nothing arrived for this long, ms ... */
  quietMs: number;
  /** ... or this long after the publisher finished, ms. */
  drainMs: number;
}

const MB = 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the pub/sub scenario in fresh processes: a subscriber, then a publisher that sends the
 * events; waits a bounded time for stragglers, then counts what arrived.
 */
export async function runPubSubCell(sys: PubSubSystem, plan: PubSubPlan, servers: RunningServers): Promise<PubSubRow> {
  const base = { system: sys.id, label: sys.label, family: sys.family };
  const count = Math.min(plan.count, sys.maxEvents ?? Infinity);
  const env = { natsUrl: servers.nats?.url, redisUrl: servers.redis?.url, amqpUrl: servers.rabbitmq?.url, concurrency: 0 };
  // The broker server's CPU is part of the cost of a brokered row.
  const server = serverOf(servers, serverKindOf(sys));
  const subscriber = new BenchChild("subscriber", { system: sys.build?.id ?? sys.id, env, count }, sys.build?.dir);
  let publisher: BenchChild | undefined;
  try {
    const { info } = await subscriber.waitFor("ready", 30_000);
    publisher = new BenchChild("publisher", { system: sys.build?.id ?? sys.id, env, info }, sys.build?.dir);
    const pub = publisher;
    await pub.waitFor("ready", 30_000);
    const snapshot = async (): Promise<[Usage, Usage, number]> => {
      const [p, s] = await Promise.all([pub.ask({ type: "usage" }, "usage"), subscriber.ask({ type: "usage" }, "usage")]);
      return [p.usage, s.usage, server?.cpuSeconds() ?? 0];
    };
    const progress = async (): Promise<Progress> => (await subscriber.ask({ type: "progress" }, "progress")).progress;
    const before = await snapshot();
    const machineBefore = machineCpu();
    const t0 = nowMs();
    pub.send({ type: "publish", count, batch: plan.batch, deadlineMs: plan.publishDeadlineMs });
    const { published } = await pub.waitFor("published", plan.publishDeadlineMs + 60_000);
    const expected = published.published - published.errors;
    let last = await progress();
    let changedAt = nowMs();
    const giveUpAt = nowMs() + plan.drainMs;
    while (last.distinct < expected && nowMs() < giveUpAt && nowMs() - changedAt < plan.quietMs) {
      await sleep(100);
      const p = await progress();
      if (p.received !== last.received) changedAt = nowMs();
      last = p;
    }
    const machineAfter = machineCpu();
    const elapsedS = (nowMs() - t0) / 1000;
    const after = await snapshot();
    const cpuSeconds = (after[0].cpuUs - before[0].cpuUs + after[1].cpuUs - before[1].cpuUs) / 1e6 + (after[2] - before[2]);
    const seconds = (last.lastAtMs - published.startAtMs) / 1000;
    return {
      ...base,
      published: published.published,
      publishErrors: published.errors,
      firstError: published.firstError,
      received: last.received,
      distinct: last.distinct,
      lost: Math.max(0, expected - last.distinct),
      duplicates: last.duplicates,
      wrong: last.wrong,
      eventsPerSec: last.distinct > 0 && seconds > 0 ? last.distinct / seconds : 0,
      cpuPer10k: last.received > 0 ? (cpuSeconds / last.received) * 10_000 : NaN,
      publisherRssMb: after[0].maxRssKb / MB,
      subscriberRssMb: after[1].maxRssKb / MB,
      otherLoad: otherLoad(machineBefore, machineAfter, cpuSeconds, elapsedS),
    };
  } catch (err) {
    const failed = err instanceof Error ? err.message : String(err);
    const zero = { published: 0, publishErrors: 0, received: 0, distinct: 0, lost: 0, duplicates: 0, wrong: 0, eventsPerSec: 0 };
    return { ...base, ...zero, cpuPer10k: NaN, publisherRssMb: NaN, subscriberRssMb: NaN, otherLoad: NaN, failed };
  } finally {
    await Promise.all([subscriber.stop(), publisher?.stop()]);
  }
}
