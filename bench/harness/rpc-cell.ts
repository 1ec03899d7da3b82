import type { Usage } from "../ipc";
import type { Op } from "../payloads";
import type { RpcRow } from "../results";
import type { RpcSystem } from "../systems";
import { BenchChild } from "./children";
import { machineCpu, otherLoad, type MachineCpu } from "./machine-load";
import type { NatsServer } from "./nats-server";

/** How long to measure. */
export interface Timing {
  warmupMs: number;
  windowMs: number;
}

const MB = 1024;

/**
 * Runs one RPC scenario in fresh processes: the system's server, and a load generator that
 * connects to it and runs the closed loop. The server's CPU is sampled when the load
 * generator reports the window's edges; both processes are killed by PID afterwards.
 */
export async function runRpcCell(sys: RpcSystem, op: Op, concurrency: number, timing: Timing, nats?: NatsServer): Promise<RpcRow> {
  const base = { system: sys.id, label: sys.label, family: sys.family, limit: sys.limit, op, concurrency };
  const env = { natsUrl: nats?.url, concurrency };
  const server = new BenchChild("server", { system: sys.build?.id ?? sys.id, env }, sys.build?.dir);
  const loadgen = new BenchChild("loadgen", { system: sys.build?.id ?? sys.id, env }, sys.build?.dir);
  try {
    const { address = "" } = await server.waitFor("ready", 30_000);
    const serverUsage: Usage[] = [];
    const natsCpu: number[] = [];
    const machine: Array<MachineCpu | undefined> = [];
    const sampled: Promise<void>[] = [];
    loadgen.on((m) => {
      if (m.type !== "mark") return;
      const i = m.edge === "start" ? 0 : 1;
      natsCpu[i] = nats?.cpuSeconds() ?? 0;
      machine[i] = machineCpu();
      sampled.push(server.ask({ type: "usage" }, "usage").then((u) => void (serverUsage[i] = u.usage)));
    });
    loadgen.send({ type: "run", address, op, concurrency, warmupMs: timing.warmupMs, windowMs: timing.windowMs });
    const { result } = await loadgen.waitFor("result", timing.warmupMs + timing.windowMs + 60_000);
    await Promise.all(sampled);
    const [s0, s1] = serverUsage as [Usage, Usage];
    const per10k = (seconds: number): number => (result.completed > 0 ? (seconds / result.completed) * 10_000 : NaN);
    const cpuSplit = { client: per10k(result.usage.cpuUs / 1e6), server: per10k((s1.cpuUs - s0.cpuUs) / 1e6), nats: per10k((natsCpu[1] ?? 0) - (natsCpu[0] ?? 0)) };
    const windowUs = result.windowMs * 1000;
    return {
      ...base,
      rps: result.completed / (result.windowMs / 1000),
      p50Us: result.p50Us,
      p99Us: result.p99Us,
      cpuPer10k: cpuSplit.client + cpuSplit.server + cpuSplit.nats,
      cpuSplit,
      coresBusy: { client: result.usage.cpuUs / windowUs, server: (s1.cpuUs - s0.cpuUs) / windowUs },
      otherLoad: otherLoad(machine[0], machine[1], ((cpuSplit.client + cpuSplit.server + cpuSplit.nats) * result.completed) / 10_000, result.windowMs / 1000),
      serverRssMb: s1.maxRssKb / MB,
      clientRssMb: result.usage.maxRssKb / MB,
      errors: result.errors,
      wrong: result.wrong,
      firstProblem: result.firstProblem,
    };
  } catch (err) {
    const failed = err instanceof Error ? err.message : String(err);
    return { ...base, rps: 0, p50Us: NaN, p99Us: NaN, cpuPer10k: NaN, serverRssMb: NaN, clientRssMb: NaN, errors: 0, wrong: 0, otherLoad: NaN, failed };
  } finally {
    await Promise.all([server.stop(), loadgen.stop()]);
  }
}
