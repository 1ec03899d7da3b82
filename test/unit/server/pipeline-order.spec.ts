import { randomUUID } from "node:crypto";
import { IsString, Length } from "class-validator";
import {
  Broker,
  Handler,
  HandlerWrappers,
  Inject,
  Injectable,
  MemoryBroker,
  MemoryRegistry,
  Module,
  Registry,
  Service,
  SubscriberWrappers,
  Subscribe,
  UseSubscriberWrappers,
  UseWrappers,
  createService,
  unauthorized,
  type HandlerFn,
  type HandlerWrapper,
  type Interceptor,
  type MicroService,
  type SubscriberWrapper,
} from "../../../src";
import { SilentLogger } from "../../../src/logger/silent";
import { waitFor } from "../../helpers/wait";

class HelloRequest {
  @IsString() @Length(1, 10) name!: string;
}
class Greeted {
  @IsString() name!: string;
}

const trail: string[] = [];
const mark = (label: string): HandlerWrapper => (next) => (req, ctx) => (trail.push(`${label}:${JSON.stringify(req.body)}`), next(req, ctx));
const guard: HandlerWrapper = (next) => (req, ctx) => {
  if (ctx.metadata["Authorization"] !== "Bearer ok") throw unauthorized("missing or wrong token");
  return next(req, ctx);
};
const subMark = (label: string): SubscriberWrapper => (next) => (ev, ctx) => (trail.push(`${label}:${ev.topic}`), next(ev, ctx));

const PREFIX = Symbol("PREFIX");
/** An interceptor class with an injected dependency, given through the HandlerWrappers token. */
@Injectable()
class Tagger implements Interceptor<HandlerFn> {
  constructor(@Inject(PREFIX) private readonly prefix: string) {}
  wrap(next: HandlerFn): HandlerFn {
    return (req, ctx) => (trail.push(`${this.prefix}-module`), next(req, ctx));
  }
}

const name = `pipeline-${randomUUID().slice(0, 8)}`;
const topic = `greeted-${randomUUID().slice(0, 8)}`;

@Service(name)
@UseWrappers(mark("class"))
@UseSubscriberWrappers(subMark("sub-class"))
class Greeter {
  @Handler()
  @UseWrappers(mark("method"))
  async hello(req: HelloRequest): Promise<string> {
    trail.push(`handler:${req instanceof HelloRequest}`);
    return `hello ${req.name}`;
  }

  @Handler()
  async plain(req: HelloRequest): Promise<string> {
    return `plain ${req.name}`;
  }

  @Subscribe(topic)
  @UseSubscriberWrappers(subMark("sub-method"))
  async onGreeted(ev: Greeted): Promise<void> {
    trail.push(`subscriber:${ev instanceof Greeted}:${ev.name}`);
  }
}

@Module({
  services: [Greeter],
  providers: [
    { provide: Registry, useValue: new MemoryRegistry() },
    { provide: Broker, useClass: MemoryBroker },
    { provide: PREFIX, useValue: "injected" },
    { provide: HandlerWrappers, useValue: [Tagger] },
    { provide: SubscriberWrappers, useValue: [subMark("sub-module")] },
  ],
})
class AppModule {}

describe("the handler pipeline", () => {
  let svc: MicroService;
  beforeAll(async () => {
    svc = createService(AppModule, { argv: [], env: {}, logger: new SilentLogger(), handlerWrappers: [mark("option"), guard], subscriberWrappers: [subMark("sub-option")] });
    await svc.start();
  });
  afterAll(() => svc.stop());
  beforeEach(() => (trail.length = 0));

  const auth = { metadata: { Authorization: "Bearer ok" } };

  it("runs guards before validation: an unauthenticated invalid request gets 401, not 400", async () => {
    await expect(svc.client.call(name, "Greeter.Hello", { name: "" })).rejects.toMatchObject({ code: 401, id: "tsmicro.unauthorized" });
    await expect(svc.client.call(name, "Greeter.Hello", { name: "" }, auth)).rejects.toMatchObject({ code: 400, id: "tsmicro.validation" });
  });

  it("orders module token, options, class and method wrappers outermost first; wrappers see the raw body, the handler the validated instance", async () => {
    await expect(svc.client.call(name, "Greeter.Hello", { name: "ann", extra: 1 }, auth)).resolves.toBe("hello ann");
    expect(trail).toEqual([
      "injected-module",
      'option:{"name":"ann","extra":1}',
      'class:{"name":"ann","extra":1}',
      'method:{"name":"ann","extra":1}',
      "handler:true",
    ]);
  });

  it("gives a handler without method wrappers only the class ones", async () => {
    await expect(svc.client.call(name, "Greeter.Plain", { name: "bo" }, auth)).resolves.toBe("plain bo");
    expect(trail).toEqual(["injected-module", 'option:{"name":"bo"}', 'class:{"name":"bo"}']);
  });

  it("runs subscriber wrappers module → options → class → method, then validation and the subscriber", async () => {
    await svc.client.publish(topic, { name: "cy" });
    await waitFor(() => trail.some((t) => t.startsWith("subscriber")), 5000, "delivery");
    expect(trail).toEqual([`sub-module:${topic}`, `sub-option:${topic}`, `sub-class:${topic}`, `sub-method:${topic}`, "subscriber:true:cy"]);
  });
});
