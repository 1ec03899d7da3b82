import { IsInt } from "class-validator";
import { explore, Handler, Service } from "../../../src";

class Req {
  @IsInt() n!: number;
}

@Service("kinds")
class Kinds {
  @Handler()
  async *server(req: Req): AsyncGenerator<Req> {
    yield req;
  }

  @Handler({ request: Req })
  async *bidi(input: AsyncIterable<Req>): AsyncGenerator<Req> {
    yield* input;
  }

  @Handler({ stream: true, request: Req })
  async client(input: AsyncIterable<Req>): Promise<Req> {
    for await (const m of input) return m;
    return { n: 0 };
  }

  @Handler({ stream: "server", validate: false })
  async explicit(): Promise<Iterable<unknown>> {
    return [1, 2];
  }

  @Handler()
  async unary(req: Req): Promise<Req> {
    return req;
  }

  @Handler({ stream: false })
  async *notAStream(req: Req): AsyncGenerator<Req> {
    yield req;
  }
}

describe("stream kinds from @Handler and the method's shape", () => {
  const byName = new Map(explore(new Kinds()).handlers.map((h) => [h.endpoint, h]));

  it.each([
    ["Kinds.Server", "server", Req],
    ["Kinds.Bidi", "bidi", Req],
    ["Kinds.Client", "client", Req],
    ["Kinds.Explicit", "server", undefined],
  ])("%s is a %s stream, advertised with stream: \"true\"", (endpoint, kind, requestType) => {
    const h = byName.get(endpoint)!;
    expect(h.stream).toBe(kind);
    expect(h.requestType).toBe(requestType);
    expect(h.metadata).toMatchObject({ stream: "true", stream_kind: kind });
  });

  it("a plain method, or an async generator with stream: false, is unary", () => {
    for (const endpoint of ["Kinds.Unary", "Kinds.NotAStream"]) {
      expect(byName.get(endpoint)!.stream).toBeUndefined();
      expect(byName.get(endpoint)!.metadata.stream).toBeUndefined();
    }
  });

  it("an AsyncIterable parameter without `request` cannot be validated: start-up fails naming the fix", () => {
    @Service("bad")
    class Bad {
      @Handler({ stream: true })
      async sum(input: AsyncIterable<Req>): Promise<number> {
        let n = 0;
        for await (const m of input) n += m.n;
        return n;
      }
    }
    expect(() => explore(new Bad())).toThrow(/@Handler\(\{ request: Dto \}\)/);
  });
});
