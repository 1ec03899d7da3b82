import type { Usage } from "../ipc";
import type { StreamRow } from "../results";
import type { StreamSystem } from "../systems";
import type { StreamMode } from "../systems/stream-types";
import { BenchChild } from "./children";
import { machineCpu, otherLoad, type MachineCpu } from "./machine-load";
import type { Timing } from "./rpc-cell";

/** Messages per stream: long enough that opening a stream costs little, short enough to end often. */
const BATCH = 20_000;

/** Runs one stream scenario in fresh processes: the system's server and the stream generator. */
export async function runStreamCell(sys: StreamSystem, mode: StreamMode, timing: Timing): Promise<StreamRow> {
  const base = { system: sys.id, label: sys.label, family: sys.family, mode };
  const env = { concurrency: 1 };
  const server = new BenchChild("server", { system: sys.build?.id ?? sys.id, env }, sys.build?.dir);
  const gen = new BenchChild("streamgen", { system: sys.build?.id ?? sys.id, env }, sys.build?.dir);
  try {
    const { address = "" } = await server.waitFor("ready", 30_000);
    const serverUsage: Usage[] = [];
    const machine: Array<MachineCpu | undefined> = [];
    const sampled: Promise<void>[] = [];
    gen.on((m) => {
      if (m.type !== "mark") return;
      const i = m.edge === "start" ? 0 : 1;
      machine[i] = machineCpu();
      sampled.push(server.ask({ type: "usage" }, "usage").then((u) => void (serverUsage[i] = u.usage)));
    });
    gen.send({ type: "stream-run", address, mode, batch: BATCH, warmupMs: timing.warmupMs, windowMs: timing.windowMs });
    const { result } = await gen.waitFor("result", timing.warmupMs + timing.windowMs + 60_000);
    await Promise.all(sampled);
    const [s0, s1] = serverUsage as [Usage, Usage];
    const cpu = result.usage.cpuUs / 1e6 + (s1.cpuUs - s0.cpuUs) / 1e6;
    return {
      ...base,
      mps: result.completed / (result.windowMs / 1000),
      cpuPer10k: result.completed > 0 ? (cpu / result.completed) * 10_000 : NaN,
      serverRssMb: s1.maxRssKb / 1024,
      clientRssMb: result.usage.maxRssKb / 1024,
      errors: result.errors,
      wrong: result.wrong,
      firstProblem: result.firstProblem,
      otherLoad: otherLoad(machine[0], machine[1], cpu, result.windowMs / 1000),
      coresBusy: { client: result.usage.cpuUs / (result.windowMs * 1000), server: (s1.cpuUs - s0.cpuUs) / (result.windowMs * 1000) },
    };
  } catch (err) {
    return { ...base, mps: 0, cpuPer10k: NaN, serverRssMb: NaN, clientRssMb: NaN, errors: 0, wrong: 0, otherLoad: NaN, failed: err instanceof Error ? err.message : String(err) };
  } finally {
    await Promise.all([server.stop(), gen.stop()]);
  }
}
