import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { ErrorIds, SilentLogger, createClient, type StandaloneClient } from "../../src";
import { killAll, ROOT, runNode, startNode, startProcess, type Child } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// The stream sample as its own process, reached over mDNS on loopback by this process and by
// the `micro stream` CLI, on each transport. Needs `npx tsc -p tsconfig.build.json` (dist/).
const CLI = "src/cli/main.js";

describe.each(["tcp", "http"])("streams across processes over %s", (transport) => {
  const name = `streamer-${randomUUID().slice(0, 8)}`;
  const env = { MICRO_TRANSPORT: transport, MICRO_REGISTER_TTL: "3", MICRO_REGISTER_INTERVAL: "1" };
  let standalone: StandaloneClient;

  function startStreamer(serverName = name): Child {
    return startNode("samples/stream/service.js", [`--server_name=${serverName}`], env);
  }

  async function nodesOf(service: string): Promise<number> {
    return (await standalone.registry.getService(service)).flatMap((s) => s.nodes).length;
  }

  beforeAll(async () => {
    await startStreamer().waitFor(/ready at/);
    standalone = await createClient({ argv: [], env: { MICRO_BROKER: "memory", MICRO_TRANSPORT: transport }, logger: new SilentLogger() });
    await waitFor(async () => (await nodesOf(name)) > 0, 10_000, "streamer registered");
  });

  afterAll(async () => {
    await standalone?.close();
    await killAll();
  });

  it("micro stream: server stream, client stream from arguments, bidi from stdin, and a validation error", async () => {
    const count = await runNode(CLI, ["stream", name, "Streamer.Count", '{"to":3}'], env);
    expect(count).toMatchObject({ code: 0, stdout: '{"n":0}\n{"n":1}\n{"n":2}\n' });
    const sum = await runNode(CLI, ["stream", name, "Streamer.Sum", '{"n":1}', '{"n":2}', '{"n":3}'], env);
    expect(sum).toMatchObject({ code: 0, stdout: '{"sum":6}\n' });
    const cli = join(ROOT, "dist", CLI);
    const echo = startProcess("sh", ["-c", `printf '{"text":"a"}\\n\\n{"text":"b"}\\n' | "${process.execPath}" "${cli}" stream ${name} Streamer.Echo`], {
      env: { ...process.env, MICRO_LOG_LEVEL: "warn", ...env },
    });
    expect(await echo.exited).toBe(0);
    expect(echo.stdout()).toBe('{"text":"a"}\n{"text":"b"}\n');
    const bad = await runNode(CLI, ["stream", name, "Streamer.Sum", '{"n":"x"}'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(ErrorIds.validation);
    expect(bad.stdout).toBe("");
  });

  it("a server SIGKILLed mid-stream ends the stream with a 503 long before its deadline", async () => {
    const victimName = `${name}-kill`;
    const victim = startStreamer(victimName);
    await victim.waitFor(/ready at/);
    await waitFor(async () => (await nodesOf(victimName)) > 0, 10_000, "victim registered");
    const s = standalone.client.stream<{ to: number }, { n: number }>(victimName, "Streamer.Count", { timeoutMs: 30_000 });
    await s.send({ to: 100_000 });
    expect(await s.recv()).toEqual({ n: 0 });
    const started = Date.now();
    victim.process.kill("SIGKILL");
    let error: unknown;
    try {
      for (;;) if ((await s.recv()) === undefined) break;
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 503 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("SIGTERM lets an open stream finish within the drain timeout, then the process exits 0", async () => {
    const drainName = `${name}-drain`;
    const node = startStreamer(drainName);
    await node.waitFor(/ready at/);
    await waitFor(async () => (await nodesOf(drainName)) > 0, 10_000, "drain node registered");
    const s = standalone.client.stream<{ text: string }, { text: string }>(drainName, "Streamer.Echo", { timeoutMs: 30_000 });
    await s.send({ text: "before" });
    expect(await s.recv()).toEqual({ text: "before" });
    node.process.kill("SIGTERM");
    // Shutdown deregisters first: once the node is gone from the registry, the drain has begun.
    await waitFor(async () => (await nodesOf(drainName)) === 0, 10_000, "drain node deregistered");
    await s.send({ text: "during" });
    expect(await s.recv()).toEqual({ text: "during" });
    await s.close();
    expect(await s.recv()).toBeUndefined();
    expect(await node.exited).toBe(0);
  });
});
