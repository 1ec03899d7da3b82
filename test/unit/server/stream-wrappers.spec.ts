import { IsInt } from "class-validator";
import { Handler, MicroError, Module, Service, UseWrappers, createTestingModule, type HandlerWrapper, type TestingModule } from "../../../src";

// Streams go through the same handler pipeline as unary calls: per-method wrappers (a guard
// here) run, and validation, which the stream does per message, is not applied to the stream
// object itself (regression: the innermost validation stage refused every client stream).

class NumberMessage {
  @IsInt() n!: number;
}

const seen: string[] = [];
const guard: HandlerWrapper = (next) => (req, ctx) => {
  seen.push(req.endpoint);
  if (ctx.metadata["X-Token"] !== "ok") throw new MicroError("test.unauthorized", 401, "no token");
  return next(req, ctx);
};

@Service(`stream-wrappers-${process.pid}`)
class Summer {
  @Handler("Summer.Sum", { stream: true, request: NumberMessage })
  @UseWrappers(guard)
  async sum(input: AsyncIterable<NumberMessage>): Promise<{ sum: number }> {
    let sum = 0;
    for await (const m of input) sum += m.n;
    return { sum };
  }
}

@Module({ services: [Summer] })
class SumModule {}

describe("streams and the handler pipeline", () => {
  let t: TestingModule;
  beforeAll(async () => {
    t = await createTestingModule(SumModule).compile();
  });
  afterAll(async () => {
    await t.close();
  });

  it("runs the method's guard and serves a valid client stream", async () => {
    const s = t.client.stream<{ n: number }, { sum: number }>(`stream-wrappers-${process.pid}`, "Summer.Sum", { metadata: { "X-Token": "ok" } });
    for (const n of [1, 2, 3]) await s.send({ n });
    await s.close();
    expect(await s.recv()).toEqual({ sum: 6 });
    expect(seen).toContain("Summer.Sum");
  });

  it("ends the stream with the guard's error when it refuses", async () => {
    const s = t.client.stream<{ n: number }, { sum: number }>(`stream-wrappers-${process.pid}`, "Summer.Sum");
    await s.send({ n: 1 }).catch(() => undefined);
    await s.close().catch(() => undefined);
    await expect(s.recv()).rejects.toMatchObject({ code: 401, id: "test.unauthorized" });
  });
});
