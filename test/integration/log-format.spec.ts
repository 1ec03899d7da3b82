import { randomUUID } from "node:crypto";
import { killAll, startNode } from "../helpers/processes";

// The greeter as a user starts it: JSON lines for machines, one readable summary for people.
const NAME = `greeter-${randomUUID().slice(0, 8)}`;

async function startedWith(env: Record<string, string>): Promise<string> {
  const greeter = startNode("samples/greeter/service.js", [], { MICRO_SERVER_NAME: NAME, MICRO_LOG_LEVEL: "info", ...env });
  await greeter.waitFor(/ready at (\S+)/);
  greeter.process.kill("SIGTERM");
  expect(await greeter.exited).toBe(0);
  return greeter.stderr();
}

describe("the default logger's formats", () => {
  afterAll(() => killAll());

  it("MICRO_LOG_FORMAT=json: one JSON object per line, each naming the service and node", async () => {
    const lines = (await startedWith({ MICRO_LOG_FORMAT: "json" })).trim().split("\n");
    const records = lines.map((l) => JSON.parse(l) as { msg: string; service?: string; node?: string });
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(["registry: mdns", "transport: tcp", "server listening", "server stopped"]));
    // Strict JSON ingesters reject duplicate keys: each field appears once per line.
    for (const line of lines) for (const key of ['"service":', '"node":', '"msg":']) expect(line.split(key)).toHaveLength(2);
    for (const r of records) {
      expect(r.service).toBe(NAME);
      expect(r.node).toMatch(new RegExp(`^${NAME}-`));
    }
  });

  it("MICRO_LOG_FORMAT=pretty: a start-up summary block instead of a line per provider", async () => {
    const text = await startedWith({ MICRO_LOG_FORMAT: "pretty" });
    expect(text).toMatch(new RegExp(`INFO.*${NAME} 1\\.0\\.0 ready\\n\\s+node\\s+${NAME}-\\S+\\n\\s+address\\s+127\\.0\\.0\\.1:\\d+\\n`));
    expect(text).toMatch(/\n\s+registry\s+mdns\s+\(default\)\n/);
    expect(text).toMatch(/\n\s+tracing\s+off\n\s+metrics\s+off/);
    for (const perProvider of ["registry: mdns", "transport: tcp", "broker: http", "selector: random", "server listening"]) expect(text).not.toContain(perProvider);
    // The summary names the service and node once; lines do not repeat them.
    expect(text).not.toContain('"node"');
  });

  it("an unknown MICRO_LOG_FORMAT fails the start with one line", async () => {
    const greeter = startNode("samples/greeter/service.js", [], { MICRO_SERVER_NAME: NAME, MICRO_LOG_FORMAT: "xml" });
    expect(await greeter.exited).not.toBe(0);
    expect(greeter.stderr().trim().split("\n")).toHaveLength(1);
    expect(greeter.stderr()).toContain('"xml" is not a log format; use one of auto, json, pretty');
  });
});
