import { randomUUID } from "node:crypto";
import { killAll, runNode, startNode } from "../helpers/processes";
import { OtlpReceiver } from "../helpers/otlp-receiver";

// Real processes, real exporter: the greeter sample and the `micro` CLI export over OTLP/HTTP
// to a receiver in this process, and the CLI's call starts the trace the service continues.
const NAME = `greeter-${randomUUID().slice(0, 8)}`;

describe("OpenTelemetry across processes", () => {
  const receiver = new OtlpReceiver();
  afterAll(async () => {
    await killAll();
    await receiver.close();
  });

  it("micro call starts a trace that the greeter continues, and both export it", async () => {
    const endpoint = await receiver.start();
    const otel = { OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
    const greeter = startNode("samples/greeter/service.js", [], { ...otel, MICRO_SERVER_NAME: NAME });
    await greeter.waitFor(/ready at (\S+)/);

    const call = await runNode("src/cli/main.js", ["call", NAME, "Greeter.Hello", '{"name":"John"}'], { ...otel, OTEL_SERVICE_NAME: "micro-cli" });
    expect(call.stdout).toContain("Hello John");

    // The console exporter writes to stderr: stdout stays the command's output, parseable as JSON.
    const consoled = await runNode("src/cli/main.js", ["call", NAME, "Greeter.Hello", '{"name":"Ada"}'], { OTEL_TRACES_EXPORTER: "console", OTEL_SERVICE_NAME: "micro-cli" });
    expect(JSON.parse(consoled.stdout)).toEqual({ greeting: "Hello Ada" });
    const spanLine = consoled.stderr.split("\n").find((l) => l.includes(`"name":"${NAME}/Greeter.Hello"`));
    expect(JSON.parse(spanLine!)).toMatchObject({ kind: 2, service: "micro-cli", traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });

    greeter.process.kill("SIGTERM"); // the batch processor flushes on shutdown
    expect(await greeter.exited).toBe(0);
    await receiver.until(() => receiver.spans().some((s) => s.service === NAME && s.kind === 2));

    const spans = receiver.spans().filter((s) => s.name === `${NAME}/Greeter.Hello`);
    const cli = spans.find((s) => s.service === "micro-cli" && s.kind === 3); // CLIENT
    const server = spans.find((s) => s.service === NAME && s.kind === 2); // SERVER
    expect(cli).toBeDefined();
    expect(server?.traceId).toBe(cli!.traceId);
    expect(server?.parentSpanId).toBe(cli!.spanId);
  });
});
