import { Handler, Module, Service, badRequest, createTestingModule, type Context, type LogRecord, type StatsResponse, type TestingModule, type TraceResponse } from "../../../src";
import { uniqueName } from "../../contract/registry.contract";

const name = uniqueName("debugged");

@Service(name)
class Debugged {
  @Handler("Debugged.Hello", { validate: false })
  async hello(req: { name: string }, ctx: Context): Promise<{ greeting: string }> {
    ctx.logger.info("greeted", { who: req.name });
    return { greeting: `Hello ${req.name}` };
  }

  @Handler("Debugged.Fail")
  async fail(): Promise<never> {
    throw badRequest("always fails");
  }
}

@Module({ services: [Debugged] })
class DebuggedModule {}

async function readLogs(t: TestingModule, request: Record<string, unknown>, take = Infinity): Promise<LogRecord[]> {
  const s = t.client.stream<Record<string, unknown>, LogRecord>(name, "Debug.Log");
  await s.send(request);
  await s.close();
  const out: LogRecord[] = [];
  for await (const r of s) {
    out.push(r);
    if (out.length >= take) break;
  }
  return out;
}

describe("the debug service", () => {
  let t: TestingModule;
  beforeAll(async () => {
    t = await createTestingModule(DebuggedModule).compile();
  });
  afterAll(() => t.close());

  it("Debug.Stats counts answered requests and errors and reports the process", async () => {
    const before = await t.client.call<StatsResponse>(name, "Debug.Stats", {});
    await t.client.call(name, "Debugged.Hello", { name: "Ada" });
    await t.client.call(name, "Debugged.Hello", { name: "Bob" });
    await expect(t.client.call(name, "Debugged.Fail", {})).rejects.toMatchObject({ code: 400 });
    const after = await t.client.call<StatsResponse>(name, "Debug.Stats", {});
    // The first Debug.Stats call is answered (counted) too: 1 + 3 requests, 1 error.
    expect(after.requests - before.requests).toBe(4);
    expect(after.errors - before.errors).toBe(1);
    expect(after.memory).toBeGreaterThan(0);
    expect(after.heapUsed).toBeGreaterThan(0);
    expect(Math.abs(after.started - Date.now() / 1000)).toBeLessThan(600);
    expect(after.inflight).toBe(1); // this very call
    expect(after.connections).toBeGreaterThanOrEqual(1);
  });

  it("Debug.Log returns records with the service, node, endpoint, caller and trace id", async () => {
    await t.client.call(name, "Debugged.Hello", { name: "Cy" });
    const records = await readLogs(t, { count: 50 });
    const greeted = records.filter((r) => r.msg === "greeted" && r.fields.who === "Cy");
    expect(greeted).toHaveLength(1);
    expect(greeted[0]!.fields).toMatchObject({ service: name, endpoint: "Debugged.Hello" });
    expect(String(greeted[0]!.fields.node)).toMatch(new RegExp(`^${name}-`));
    expect(String(greeted[0]!.fields.trace_id)).toMatch(/^[0-9a-f]{32}$/);
    expect(String(greeted[0]!.fields.span_id)).toMatch(/^[0-9a-f]{16}$/);
    expect(greeted[0]!.level).toBe("info");
  });

  it("Debug.Log honours count and since", async () => {
    await t.client.call(name, "Debugged.Hello", { name: "Di" });
    const newest = await readLogs(t, { count: 1 });
    expect(newest).toHaveLength(1);
    expect(newest[0]!.fields.who).toBe("Di");
    expect(await readLogs(t, { since: Date.now() / 1000 + 3600 })).toEqual([]);
  });

  it("Debug.Log with follow streams records written after it was opened", async () => {
    const s = t.client.stream<Record<string, unknown>, LogRecord>(name, "Debug.Log");
    await s.send({ count: 1, follow: true });
    await s.close();
    const backlog = await s.recv();
    expect(backlog).toBeDefined();
    await t.client.call(name, "Debugged.Hello", { name: "Eve" });
    let next = await s.recv();
    while (next && next.fields.who !== "Eve") next = await s.recv();
    expect(next).toMatchObject({ msg: "greeted", fields: { who: "Eve" } });
    s.cancel();
  });

  it("Debug.Trace says tracing is off and has no spans without a tracer", async () => {
    await expect(t.client.call<TraceResponse>(name, "Debug.Trace", {})).resolves.toEqual({ enabled: false, spans: [] });
  });

  it("does not advertise the debug endpoints", async () => {
    const [record] = await t.service.registry.getService(name);
    const names = record!.endpoints.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["Debugged.Hello", "Debugged.Fail"]));
    expect(names.filter((n) => n.startsWith("Debug."))).toEqual([]);
  });
});

describe("a following Debug.Log when the service stops", () => {
  it("ends at once instead of holding up the drain", async () => {
    const t = await createTestingModule(DebuggedModule).withOptions({ drainTimeoutMs: 60_000 }).compile();
    const s = t.client.stream<Record<string, unknown>, LogRecord>(name, "Debug.Log", { timeoutMs: 120_000 });
    await s.send({ count: 1, follow: true });
    await s.close();
    await s.recv(); // the backlog: the stream is open and following
    const stopped = t.close();
    // With the follow holding the drain, close() would wait the whole 60 s drain timeout (and the test time out).
    while ((await s.recv()) !== undefined);
    await stopped;
  });
});
