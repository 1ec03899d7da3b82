import { join } from "node:path";
import { killAll, ROOT, runProcess, startNode, type Child } from "../helpers/processes";

// A stock @grpc/grpc-js client (test/fixtures/grpc-stock/client.mjs: no tsmicro import) calls the
// greeter sample started with --transport=grpc, both in their own processes. The memory registry
// and broker keep the sample off mDNS.

interface Outcome {
  hello: { response?: { greeting: string }; error?: { codeName: string; details: string } };
  empty: { response?: unknown; error?: { codeName: string; details: string } };
  unknown: { error: { codeName: string; details: string } | null };
  health: { response?: { status: number } };
  services: string[];
  reflected: { files: number; hello: { response?: { greeting: string } } };
}

describe("a stock grpc-js client calls the greeter sample (--transport=grpc)", () => {
  let greeter: Child;
  let outcome: Outcome;

  beforeAll(async () => {
    greeter = startNode("samples/greeter/service.js", ["--transport=grpc"], { MICRO_REGISTRY: "memory", MICRO_BROKER: "memory" });
    const [, address] = await greeter.waitFor(/ready at (\S+)/);
    const run = await runProcess(process.execPath, [join(ROOT, "test", "fixtures", "grpc-stock", "client.mjs"), address!], { timeoutMs: 20_000 });
    if (run.code !== 0) throw new Error(`stock client failed (${run.code}): ${run.stderr}`);
    outcome = JSON.parse(run.stdout) as Outcome;
  });

  afterAll(async () => {
    await killAll();
  });

  it("Greeter.Hello answers { greeting: \"Hello John\" } in protobuf", () => {
    expect(outcome.hello).toEqual({ response: { greeting: "Hello John" } });
  });

  it("a validation failure (empty name) is INVALID_ARGUMENT with the detail", () => {
    expect(outcome.empty.error).toMatchObject({ codeName: "INVALID_ARGUMENT" });
    expect(outcome.empty.error!.details).toMatch(/name/);
  });

  it("an unknown method is UNIMPLEMENTED, naming it", () => {
    expect(outcome.unknown.error).toMatchObject({ codeName: "UNIMPLEMENTED" });
    expect(outcome.unknown.error!.details).toContain("/greeter.Greeter/Nope");
  });

  it("the health check says SERVING", () => {
    expect(outcome.health.response).toEqual({ status: 1 });
  });

  it("reflection lists greeter.Greeter, health and reflection", () => {
    expect(outcome.services).toEqual(expect.arrayContaining(["greeter.Greeter", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"]));
  });

  it("reflection serves greeter.proto's descriptors: a client built from them alone calls Hello", () => {
    expect(outcome.reflected.files).toBeGreaterThanOrEqual(1);
    expect(outcome.reflected.hello).toEqual({ response: { greeting: "Hello Reflected" } });
  });
});
