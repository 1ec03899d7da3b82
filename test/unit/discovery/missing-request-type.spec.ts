import "reflect-metadata";
import { IsString } from "class-validator";
import { CodecSet, Context, Handler, JsonCodec, MicroError, SilentLogger, Subscribe, type HandlerDescriptor } from "../../../src";
import { explore } from "../../../src/discovery";
import { dispatch, invokeHandler } from "../../../src/server/dispatch";
import { Router } from "../../../src/server/router";

// Regression: with no decorator metadata (tsx/esbuild, emitDecoratorMetadata off) or an interface-typed
// parameter, validation silently turned off and the registry advertised an empty request.

class HelloRequest {
  @IsString() name!: string;
}
interface HelloShape {
  name: string;
}

/** What tsx/esbuild produce: the decorators ran, but no design:paramtypes was emitted. */
function withoutMetadata<T extends new () => object>(cls: T, ...methods: string[]): T {
  for (const m of methods) Reflect.deleteMetadata("design:paramtypes", cls.prototype as object, m);
  return cls;
}

async function call(h: HandlerDescriptor, body: unknown): Promise<{ error?: MicroError; body?: unknown }> {
  const router = new Router();
  router.add(h);
  const reply = await dispatch(
    { service: "svc", router, codecs: new CodecSet([new JsonCodec()]), chain: invokeHandler, logger: new SilentLogger() },
    { header: { "Micro-Id": "1", "Micro-Endpoint": h.endpoint, "Content-Type": "application/json" }, body: Buffer.from(JSON.stringify(body)) },
  );
  const e = reply.header["Micro-Error"];
  return e ? { error: MicroError.parse(e) } : { body: JSON.parse(reply.body.toString()) as unknown };
}

describe("handlers whose request class is unknown", () => {
  it("fail at start-up, naming the handler and the fixes, when decorator metadata is missing", () => {
    class Greeter {
      @Handler()
      async hello(req: HelloRequest): Promise<string> {
        return req.name;
      }
    }
    withoutMetadata(Greeter, "hello");
    expect(() => explore(new Greeter())).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /^Greeter\.Hello \(Greeter\.hello\): .*emitDecoratorMetadata.*@Handler\(\{ request: Dto \}\).*@Handler\(\{ validate: false \}\)/,
        ),
      }),
    );
  });

  it("fail when the parameter is typed as an interface", () => {
    class Greeter {
      @Handler("Greeter.Shape")
      async shape(req: HelloShape): Promise<string> {
        return req.name;
      }
    }
    expect(() => explore(new Greeter())).toThrow(/Greeter\.Shape \(Greeter\.shape\): .*not typed with a class/);
  });

  it("are fine when they take no parameters at all", () => {
    class Greeter {
      @Handler()
      async ping(): Promise<string> {
        return "pong";
      }
    }
    const [ping] = explore(new (withoutMetadata(Greeter, "ping"))()).handlers;
    expect(ping).toMatchObject({ endpoint: "Greeter.Ping", validate: false, requestType: undefined });
  });

  it("validate against the class named by the request option", async () => {
    class Greeter {
      @Handler({ request: HelloRequest })
      async hello(req: HelloShape): Promise<string> {
        return `hi ${req.name}`;
      }
    }
    const [hello] = explore(new (withoutMetadata(Greeter, "hello"))()).handlers;
    expect(hello).toMatchObject({ requestType: HelloRequest, validate: true });
    expect(await call(hello!, { name: "Ann" })).toEqual({ body: "hi Ann" });
    expect((await call(hello!, { name: 3 })).error).toMatchObject({ code: 400, id: "tsmicro.validation" });
  });

  it("accept untyped input with validate: false", async () => {
    class Greeter {
      @Handler({ validate: false })
      async echo(req: HelloShape): Promise<HelloShape> {
        return req;
      }
    }
    const [echo] = explore(new (withoutMetadata(Greeter, "echo"))()).handlers;
    expect(echo).toMatchObject({ validate: false, requestType: undefined });
    expect(await call(echo!, { name: 3, extra: true })).toEqual({ body: { name: 3, extra: true } });
  });
});

describe("subscribers whose event class is unknown", () => {
  it("fail at start-up naming the topic, class and method", () => {
    class Audit {
      @Subscribe("user.created")
      async onCreated(_ev: HelloRequest): Promise<void> {}
    }
    withoutMetadata(Audit, "onCreated");
    expect(() => explore(new Audit())).toThrow(
      /subscriber of "user\.created" \(Audit\.onCreated\): .*emitDecoratorMetadata.*@Subscribe\(\{ event: Dto \}\).*@Subscribe\(\{ validate: false \}\)/,
    );
  });

  it("take the class from the event option, or none with validate: false", () => {
    class Audit {
      @Subscribe("a", { event: HelloRequest })
      async a(_ev: HelloShape): Promise<void> {}
      @Subscribe("b", { validate: false, queue: "q" })
      async b(_ev: HelloShape): Promise<void> {}
    }
    const subs = explore(new (withoutMetadata(Audit, "a", "b"))()).subscribers;
    expect(subs).toEqual([
      expect.objectContaining({ topic: "a", eventType: HelloRequest, validate: true }),
      expect.objectContaining({ topic: "b", queue: "q", eventType: undefined, validate: false }),
    ]);
  });
});

describe("a handler written without async that throws synchronously", () => {
  it("rejects its invoke promise instead of throwing, so dispatch answers 500 and goes on", async () => {
    let calls = 0;
    class Greeter {
      @Handler()
      hello(req: HelloRequest): Promise<string> {
        if (++calls === 1) throw new Error("sync boom");
        return Promise.resolve(req.name);
      }
    }
    const [hello] = explore(new Greeter()).handlers;
    const pending = hello!.invoke({ name: "x" }, new Context());
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toThrow("sync boom");
    calls = 0;
    expect((await call(hello!, { name: "a" })).error).toMatchObject({ code: 500 });
    expect(await call(hello!, { name: "b" })).toEqual({ body: "b" });
  });
});
