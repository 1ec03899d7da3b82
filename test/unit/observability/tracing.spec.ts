import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Broker, Handler, MemoryBroker, MemoryRegistry, Module, Registry, Service, Subscribe, createTestingModule, type Constructor, type Context, type TestingModule } from "../../../src";
import { injectActiveContext } from "../../../src/observability/tracing";
import { uniqueName } from "../../contract/registry.contract";

const [A, B, C] = [uniqueName("trace-a"), uniqueName("trace-b"), uniqueName("trace-c")];
const TOPIC = uniqueName("traced.event");
let delivered!: () => void;
const deliveredOnce = new Promise<void>((resolve) => (delivered = resolve));

@Service(A)
class ServiceA {
  @Handler("A.Start", { validate: false })
  async start(req: { n: number }, ctx: Context): Promise<unknown> {
    return ctx.call(B, "B.Work", req);
  }
}

const seenInB: Array<{ traceId?: string; spanId?: string }> = [];

@Service(B)
class ServiceB {
  @Handler("B.Work", { validate: false })
  async work(req: { n: number }, ctx: Context): Promise<{ ok: boolean }> {
    seenInB.push({ traceId: ctx.trace?.traceId, spanId: ctx.trace?.spanId });
    // The application's own span, parented by whatever context is active in the handler.
    trace.getTracer("app").startSpan("app work").end();
    await ctx.publish(TOPIC, { n: req.n });
    return { ok: true };
  }
}

@Service(C)
class ServiceC {
  @Subscribe(TOPIC, { validate: false })
  async onEvent(): Promise<void> {
    delivered();
  }
}

@Module({ services: [ServiceA] })
class ModuleA {}
@Module({ services: [ServiceB] })
class ModuleB {}
@Module({ services: [ServiceC] })
class ModuleC {}

describe("tracing through the application's OpenTelemetry SDK", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const registry = new MemoryRegistry();
  const broker = new MemoryBroker();
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    provider.register();
    await broker.connect();
    // Built after the SDK is installed: that is what turns the tracing wrappers on.
    for (const m of [ModuleA, ModuleB, ModuleC] as Constructor[]) {
      modules.push(await createTestingModule(m).overrideProvider(Registry).useValue(registry).overrideProvider(Broker).useValue(broker).compile());
    }
  });
  afterAll(async () => {
    for (const m of modules) await m.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it("makes client → A → B → event → C one trace with the right parents", async () => {
    await expect(modules[0]!.client.call(A, "A.Start", { n: 1 })).resolves.toEqual({ ok: true });
    await deliveredOnce;
    const spans = exporter.getFinishedSpans();
    const find = (name: string, kind: number): ReadableSpan => {
      const found = spans.filter((s) => s.name === name && s.kind === kind);
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    // SpanKind: SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4.
    const callA = find(`${A}/A.Start`, 2);
    const serveA = find(`${A}/A.Start`, 1);
    const callB = find(`${B}/B.Work`, 2);
    const serveB = find(`${B}/B.Work`, 1);
    const publish = find(`publish ${TOPIC}`, 3);
    const process = find(`process ${TOPIC}`, 4);
    const chain = [callA, serveA, callB, serveB, publish, process];
    expect(new Set(chain.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(callA.parentSpanContext).toBeUndefined();
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.parentSpanContext?.spanId).toBe(chain[i - 1]!.spanContext().spanId);
    // The handler's ctx.trace (and so its log lines) names the span the collector gets.
    expect(seenInB).toEqual([{ traceId: serveB.spanContext().traceId, spanId: serveB.spanContext().spanId }]);
    // The handler's span is the active context while it runs, so the application's spans hang under it.
    expect(spans.find((s) => s.name === "app work")?.parentSpanContext?.spanId).toBe(serveB.spanContext().spanId);
    expect(callB.attributes).toMatchObject({ "rpc.system": "tsmicro", "rpc.service": B, "rpc.method": "B.Work", "rpc.tsmicro.attempt": 1, "rpc.tsmicro.status_code": 200 });
    expect(callB.attributes["server.address"]).toEqual(expect.stringMatching(/.+/));
    expect(process.attributes["messaging.message.id"]).toEqual(expect.stringMatching(/.+/));
    expect(serveA.attributes).toMatchObject({ "rpc.system": "tsmicro", "rpc.service": A, "rpc.method": "A.Start", "rpc.tsmicro.status_code": 200 });
    expect(publish.attributes).toMatchObject({ "messaging.system": "memory", "messaging.destination.name": TOPIC, "messaging.operation.type": "publish" });
    expect(process.attributes).toMatchObject({ "messaging.destination.name": TOPIC, "messaging.operation.type": "process" });
  });

  it("says whether it injected a traceparent: only with a span active", () => {
    const none: Record<string, string> = {};
    expect(injectActiveContext(none)).toBe(false);
    expect(none.Traceparent).toBeUndefined();
    const span = trace.getTracer("app").startSpan("outer");
    const header: Record<string, string> = {};
    expect(context.with(trace.setSpan(context.active(), span), () => injectActiveContext(header))).toBe(true);
    span.end();
    expect(header.Traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it("marks a failed call's client span as an error with the MicroError code", async () => {
    exporter.reset();
    await expect(modules[0]!.client.call(A, "A.Missing", {})).rejects.toMatchObject({ code: 404 });
    const client = exporter.getFinishedSpans().find((s) => s.name === `${A}/A.Missing` && s.kind === 2);
    expect(client?.status).toMatchObject({ code: 2 }); // ERROR
    expect(client?.attributes["rpc.tsmicro.status_code"]).toBe(404);
  });
});
