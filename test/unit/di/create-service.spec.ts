import {
  Broker,
  Handler,
  Inject,
  Injectable,
  MemoryBroker,
  MemoryRegistry,
  Module,
  Registry,
  Service,
  createService,
  createServiceAsync,
  type LogFields,
  type Logger,
} from "../../../src";

class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  debug(msg: string, fields?: LogFields): void { this.lines.push({ level: "debug", msg, fields }); }
  info(msg: string, fields?: LogFields): void { this.lines.push({ level: "info", msg, fields }); }
  warn(msg: string, fields?: LogFields): void { this.lines.push({ level: "warn", msg, fields }); }
  error(msg: string, fields?: LogFields): void { this.lines.push({ level: "error", msg, fields }); }
  child(): Logger { return this; }
}

@Injectable()
class Repo {
  find(): string { return "from repo"; }
}
const PREFIX = Symbol("PREFIX");
const SUFFIX = Symbol("SUFFIX");

@Service("users", { version: "3" })
class Users {
  constructor(
    @Inject(Repo) readonly repo: Repo,
    @Inject(PREFIX) readonly prefix: string,
    @Inject(SUFFIX) readonly suffix: string,
  ) {}
  @Handler()
  async get(): Promise<string> { return `${this.prefix} ${this.repo.find()} ${this.suffix}`; }
}

@Module({ providers: [Repo, { provide: PREFIX, useValue: "imported" }] })
class DataModule {}

const sharedRegistry = new MemoryRegistry();
@Module({
  imports: [DataModule],
  services: [Users],
  providers: [
    { provide: PREFIX, useValue: "root" },
    { provide: SUFFIX, useFactory: (p: string) => `after ${p}`, inject: [PREFIX] },
    { provide: Registry, useValue: sharedRegistry },
    { provide: Broker, useClass: MemoryBroker },
  ],
})
class AppModule {}

describe("createService", () => {
  it("constructs handler classes with their injected dependencies; the importing module wins", async () => {
    const svc = await createServiceAsync(AppModule, { argv: [], env: {}, logger: new RecordingLogger() });
    const users = svc.container!.get(Users);
    expect(users.prefix).toBe("root");
    expect(users.suffix).toBe("after root");
    expect(users.repo).toBeInstanceOf(Repo);
    expect(svc.name).toBe("users");
  });

  it("uses the module's providers and logs one line per provider with its source", async () => {
    const logger = new RecordingLogger();
    const svc = await createServiceAsync(AppModule, { argv: [], env: {}, logger });
    expect(svc.registry).toBe(sharedRegistry);
    expect(svc.broker).toBeInstanceOf(MemoryBroker);
    const sources = Object.fromEntries(
      logger.lines.filter((l) => l.fields?.provider).map((l) => [l.fields!.provider, `${l.fields!.name} (${l.fields!.source})`]),
    );
    expect(sources).toEqual({
      registry: "memory (module)",
      broker: "memory (module)",
      transport: "tcp (default)",
      selector: "random (default)",
    });
  });

  it("lets env and flags override the module (defaults < module < env < flags)", async () => {
    const logger = new RecordingLogger();
    const svc = await createServiceAsync(AppModule, { argv: ["--selector=roundrobin"], env: { MICRO_REGISTRY: "memory" }, logger });
    expect(svc.registry).not.toBe(sharedRegistry);
    expect(svc.registry.name).toBe("memory");
    const lines = logger.lines.filter((l) => l.fields?.provider).map((l) => `${l.fields!.provider}=${l.fields!.name}:${l.fields!.source}`);
    expect(lines).toEqual(expect.arrayContaining(["registry=memory:env", "selector=roundrobin:flag"]));
  });

  it("fails at start-up on an unknown provider name, listing the known ones", () => {
    expect(() => createService(AppModule, { argv: ["--registry=zookeeper"], env: {}, logger: new RecordingLogger() })).toThrow(
      'unknown registry "zookeeper"; known registry providers: consul, etcd, mdns, memory',
    );
    expect(() => createService(AppModule, { argv: [], env: { MICRO_TRANSPORT: "carrier-pigeon" }, logger: new RecordingLogger() })).toThrow(
      /unknown transport "carrier-pigeon"; known transport providers: grpc, http, nats, tcp/,
    );
  });

  it("refuses a module without a service, and two service names in one process", () => {
    @Module({})
    class Empty {}
    expect(() => createService(Empty, { argv: [], env: {} })).toThrow(/nothing to serve/);
    @Service("other")
    class Other {}
    @Module({ services: [Users, Other], imports: [AppModule] })
    class Two {}
    expect(() => createService(Two, { argv: [], env: {}, logger: new RecordingLogger() })).toThrow(/one process serves one service/);
  });
});

describe("framework tokens in service classes", () => {
  it("injects Client, Server, Logger and MicroConfig, and takes custom codecs from Codecs", async () => {
    const { Client, Server, Logger: LoggerToken, MicroConfig, Codecs, JsonCodec } = await import("../../../src");
    class UpperJson extends JsonCodec {
      override readonly name = "upper-json";
      override readonly contentTypes = ["application/x-upper"];
    }
    @Service("wired")
    class Wired {
      constructor(
        @Inject(Client) readonly client: InstanceType<typeof Object>,
        @Inject(Server) readonly server: { name: string },
        @Inject(LoggerToken) readonly logger: Logger,
        @Inject(MicroConfig) readonly config: { registry: string },
      ) {}
      @Handler()
      async ping(): Promise<string> {
        return "pong";
      }
    }
    @Module({
      services: [Wired],
      providers: [
        { provide: Registry, useValue: new MemoryRegistry() },
        { provide: Broker, useClass: MemoryBroker },
        { provide: Codecs, useValue: [new JsonCodec(), new UpperJson()] },
      ],
    })
    class M {}
    const svc = await createServiceAsync(M, { argv: [], env: {}, logger: new RecordingLogger() });
    const wired = svc.container!.get(Wired);
    expect(wired.client).toBe(svc.client);
    expect(wired.server.name).toBe("wired");
    expect(wired.config.registry).toBe("mdns");
    await svc.start();
    try {
      await expect(svc.client.call("wired", "Wired.Ping", {}, { contentType: "application/x-upper" })).resolves.toBe("pong");
      await expect(svc.client.call("wired", "Wired.Ping", {}, { contentType: "application/json-rpc" })).rejects.toThrow(/unsupported Content-Type/);
    } finally {
      await svc.stop();
    }
  });
});
