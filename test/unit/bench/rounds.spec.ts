import { foldPubSub, foldRpc, foldStream, inRounds } from "../../../bench/harness/rounds";
import type { PubSubRow, RpcRow, StreamRow } from "../../../bench/results";

// The benchmark's `--repeat`: rounds alternate the systems, and each row shows its median round
// without hiding errors, losses or failures of the other rounds.

function rpc(rps: number, extra: Partial<RpcRow> = {}): RpcRow {
  return {
    system: "s", label: "s", family: "tsmicro", limit: "raw-net", op: "hello", concurrency: 32,
    rps, p50Us: rps, p99Us: 2 * rps, cpuPer10k: 1, serverRssMb: 1, clientRssMb: 1, errors: 0, wrong: 0, otherLoad: 0, ...extra,
  };
}

function pubsub(eventsPerSec: number, extra: Partial<PubSubRow> = {}): PubSubRow {
  return {
    system: "p", label: "p", family: "tsmicro", published: 1000, publishErrors: 0, received: 1000, distinct: 1000, lost: 0, duplicates: 0,
    wrong: 0, eventsPerSec, cpuPer10k: 1, publisherRssMb: 1, subscriberRssMb: 1, otherLoad: 0, ...extra,
  };
}

describe("bench rounds", () => {
  it("runs every system once per round, in the same order each round", async () => {
    const order: string[] = [];
    const rows = await inRounds(["a", "b", "c"], 3, async (sys, round) => {
      order.push(`${sys}${round}`);
      return round;
    });
    expect(order).toEqual(["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3"]);
    expect(rows.get("b")).toEqual([1, 2, 3]);
  });

  it("keeps the median round whole (its latencies with its rate) and lists every round's rate", () => {
    const row = foldRpc([rpc(300), rpc(100), rpc(200)]);
    expect(row.rps).toBe(200);
    expect(row.p99Us).toBe(400);
    expect(row.rounds).toEqual([300, 100, 200]);
  });

  it("shows the slower middle round for an even count, and a single round as it is", () => {
    expect(foldRpc([rpc(400), rpc(100), rpc(300), rpc(200)]).rps).toBe(200);
    expect(foldRpc([rpc(100), rpc(300)]).rps).toBe(100);
    expect(foldRpc([rpc(150)]).rps).toBe(150);
  });

  it("sums errors over all rounds and keeps the first problem seen", () => {
    const row = foldRpc([rpc(100), rpc(200, { errors: 2, firstProblem: "timeout" }), rpc(300, { wrong: 1, firstProblem: "bad greeting" })]);
    expect(row.rps).toBe(200);
    expect(row.errors + row.wrong).toBe(3);
    expect(row.firstProblem).toBe("timeout");
  });

  it("shows a failed round rather than a good median", () => {
    const row = foldRpc([rpc(100), rpc(0, { failed: "server exited" }), rpc(300)]);
    expect(row.failed).toBe("server exited");
  });

  it("folds stream rows by messages/s", () => {
    const stream = (mps: number, errors = 0): StreamRow => ({
      system: "t", label: "t", family: "tsmicro", mode: "bidi", mps, cpuPer10k: 1, serverRssMb: 1, clientRssMb: 1, errors, wrong: 0, otherLoad: 0,
    });
    const row = foldStream([stream(5), stream(9, 1), stream(7)]);
    expect(row.mps).toBe(7);
    expect(row.errors).toBe(1);
  });

  it("counts events lost in any round, not only in the median one", () => {
    const row = foldPubSub([pubsub(100), pubsub(300, { lost: 5, duplicates: 1 }), pubsub(200, { publishErrors: 2, firstError: "closed" })]);
    expect(row.eventsPerSec).toBe(200);
    expect(row.lost).toBe(5);
    expect(row.duplicates).toBe(1);
    expect(row.publishErrors).toBe(2);
    expect(row.firstError).toBe("closed");
  });
});
