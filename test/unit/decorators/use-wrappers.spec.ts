import { Handler, MemoryRegistry, RpcServer, Service, Subscribe, TcpTransport, UseSubscriberWrappers, UseWrappers, explore, type HandlerWrapper, type SubscriberWrapper } from "../../../src";

const a: HandlerWrapper = (next) => next;
const b: HandlerWrapper = (next) => next;
const c: HandlerWrapper = (next) => next;
const s1: SubscriberWrapper = (next) => next;

@Service("decorated")
@UseWrappers(a)
@UseSubscriberWrappers(s1)
class Decorated {
  @Handler({ validate: false, idempotent: true })
  @UseWrappers(b, c)
  async get(): Promise<string> {
    return "x";
  }

  @Handler({ validate: false, metadata: { owner: "team" } })
  async put(): Promise<string> {
    return "y";
  }

  @Subscribe("topic", { validate: false })
  async on(): Promise<void> {}
}

class Bare {
  @Handler({ validate: false })
  async ping(): Promise<string> {
    return "pong";
  }
}

describe("@UseWrappers, @UseSubscriberWrappers and idempotent handlers", () => {
  it("records class wrappers before method wrappers on each descriptor", () => {
    const { handlers, subscribers } = explore(new Decorated());
    const byName = Object.fromEntries(handlers.map((h) => [h.endpoint, h]));
    expect(byName["Decorated.Get"]!.wrappers).toEqual([a, b, c]);
    expect(byName["Decorated.Put"]!.wrappers).toEqual([a]);
    expect(subscribers[0]!.wrappers).toEqual([s1]);
  });

  it("leaves wrappers undefined on undecorated classes, so the server shares one chain", () => {
    expect(explore(new Bare()).handlers[0]!.wrappers).toBeUndefined();
  });

  it("advertises @Handler({ idempotent: true }) in the endpoint metadata and the node's idempotent list", async () => {
    const { handlers } = explore(new Decorated());
    const byName = Object.fromEntries(handlers.map((h) => [h.endpoint, h]));
    expect(byName["Decorated.Get"]!.metadata).toEqual({ idempotent: "true", method: "get" });
    expect(byName["Decorated.Put"]!.metadata).toEqual({ owner: "team", method: "put" });
    const transport = new TcpTransport();
    const server = new RpcServer({ name: "decorated", registry: new MemoryRegistry(), transport });
    server.handle(handlers);
    const record = server.record();
    expect(record.endpoints.find((e) => e.name === "Decorated.Get")!.metadata).toEqual({ idempotent: "true", method: "get" });
    expect(record.nodes[0]!.metadata.idempotent).toBe("Decorated.Get");
    await transport.close();
  });
});
