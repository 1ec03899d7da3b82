import { MemoryBroker, MemoryRegistry, RegistrySelector, RpcClient, SilentLogger, createClient, parseDuration } from "../../../src";
import { ScriptedTransport } from "../../helpers/scripted-transport";
import { runWithWarnings, watchTimerDelays } from "../../helpers/timer-overflow";

// Regression: timeoutMs Infinity, or --client_timeout=720h (2.59e9 ms), went straight to setTimeout,
// which fired after 1 ms: every call failed with 408 within a few ms, with a TimeoutOverflowWarning.

/** Echoes every request after 5 ms (a macrotask), so a 1 ms deadline timer would win the race. */
function lateEcho(): ScriptedTransport {
  return new ScriptedTransport((msg) => ({ header: { "Content-Type": "application/json" }, body: msg.body }), 5);
}

const timeoutsSent = (t: ScriptedTransport): string[] => t.sent.map((s) => s.msg.header["Timeout"]!);

describe("client calls with very long budgets", () => {
  it.each([
    ["Infinity", Infinity],
    ["720h", parseDuration("720h")],
    ["2^31 ms", 2 ** 31],
  ])("complete normally with timeoutMs %s, arming no overflowing timer and sending a decimal Timeout", async (_what, timeoutMs) => {
    const timers = watchTimerDelays();
    const transport = lateEcho();
    const client = new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport, timeoutMs });
    try {
      await expect(client.call("svc", "Svc.Echo", { ok: 1 }, { address: "127.0.0.1:1" })).resolves.toEqual({ ok: 1 });
      await expect(client.call("svc", "Svc.Echo", { ok: 2 }, { address: "127.0.0.1:1", timeoutMs })).resolves.toEqual({ ok: 2 });
      expect(timers.overflows).toEqual([]);
      for (const t of timeoutsSent(transport)) expect(t).toMatch(/^[1-9]\d*$/);
    } finally {
      timers.restore();
      await client.close();
    }
  });

  it("completes a call under --client_timeout=720h", async () => {
    const timers = watchTimerDelays();
    const transport = lateEcho();
    const c = await createClient({
      argv: ["--client_timeout=720h"],
      env: {},
      logger: new SilentLogger(),
      registry: new MemoryRegistry(),
      broker: new MemoryBroker(),
      transport,
    });
    try {
      await expect(c.client.call("svc", "Svc.Echo", { ok: 3 }, { address: "127.0.0.1:1" })).resolves.toEqual({ ok: 3 });
      expect(timers.overflows).toEqual([]);
      expect(Number(timeoutsSent(transport)[0])).toBeGreaterThan(2 ** 31 - 1000);
    } finally {
      timers.restore();
      await c.close();
    }
  });

  it("makes a real tcp round trip with Infinity and 720h budgets without a TimeoutOverflowWarning", async () => {
    const name = `long-budget-${process.pid}-${Date.now()}`;
    const run = await runWithWarnings(`
      const { RpcServer, RpcClient, MemoryRegistry, RegistrySelector, TcpTransport, parseDuration } = require("./src");
      (async () => {
        const registry = new MemoryRegistry();
        const transport = new TcpTransport();
        const server = new RpcServer({ name: ${JSON.stringify(name)}, registry, transport, registerIntervalMs: 0 });
        server.handle([{ endpoint: "Svc.Echo", invoke: async (r) => r, validate: false, metadata: {} }]);
        await server.start();
        const client = new RpcClient({ selector: new RegistrySelector({ registry }), transport, timeoutMs: parseDuration("720h") });
        const results = [];
        results.push(await client.call(${JSON.stringify(name)}, "Svc.Echo", { n: 1 }));
        results.push(await client.call(${JSON.stringify(name)}, "Svc.Echo", { n: 2 }, { timeoutMs: Infinity }));
        await client.close();
        await server.stop();
        await transport.close?.();
        console.log(JSON.stringify(results));
      })().catch((e) => { console.error(e); process.exit(1); });
    `);
    expect({ code: run.code, stdout: run.stdout.trim(), warnings: run.warnings }).toEqual({ code: 0, stdout: '[{"n":1},{"n":2}]', warnings: [] });
  });
});
