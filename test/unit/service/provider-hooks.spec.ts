import {
  Broker,
  Handler,
  Inject,
  Injectable,
  MemoryBroker,
  Module,
  Registry,
  Service,
  SilentLogger,
  createService,
  handleSignals,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from "../../../src";
import { RecordingLogger } from "../../helpers/recording-logger";
import { RecordingRegistry } from "../../helpers/recording-registry";

const quiet = { argv: [], env: {}, logger: new SilentLogger() };

/** Records every lifecycle hook under its name. */
class Hooked implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy {
  constructor(
    readonly label: string,
    private readonly log: string[],
  ) {}
  async onModuleInit(): Promise<void> {
    await Promise.resolve();
    this.log.push(`${this.label}.onModuleInit`);
  }
  onApplicationBootstrap(): void {
    this.log.push(`${this.label}.onApplicationBootstrap`);
  }
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.log.push(`${this.label}.beforeApplicationShutdown(${signal ?? ""})`);
  }
  onModuleDestroy(): void {
    this.log.push(`${this.label}.onModuleDestroy`);
  }
}

const LOG = Symbol("log");
const DB = Symbol("db");
const CACHE = Symbol("cache");

@Injectable()
class Repo extends Hooked {
  constructor(@Inject(LOG) log: string[], @Inject(DB) readonly db: Hooked) {
    super("repo", log);
  }
}

function moduleWith(log: string[], name: string) {
  @Service(name)
  class Api extends Hooked {
    constructor(@Inject(Repo) readonly repo: Repo, @Inject(CACHE) readonly cache: { hits: number }) {
      super("service", log);
    }
    @Handler({ validate: false })
    async ping(): Promise<number> {
      return this.cache.hits;
    }
  }
  @Module({
    services: [Api],
    providers: [
      { provide: LOG, useValue: log },
      { provide: Registry, useValue: new RecordingRegistry(log) },
      { provide: Broker, useClass: MemoryBroker },
      // Async factories, one depending on another through `inject`.
      { provide: DB, useFactory: async (l: string[]) => (await Promise.resolve(), new Hooked("db", l)), inject: [LOG] },
      { provide: CACHE, useFactory: async (db: Hooked) => ({ hits: db.label.length }), inject: [DB] },
      Repo,
    ],
  })
  class M {}
  return { M, Api };
}

describe("provider lifecycle hooks", () => {
  it("resolves async factories (with inject) before constructing the classes that need them", async () => {
    const { M, Api } = moduleWith([], `hooks-a-${process.pid}`);
    const svc = await createService(M, quiet).ready();
    const api = svc.container!.get(Api);
    expect(api.cache).toEqual({ hits: 2 });
    expect(api.repo.db).toBeInstanceOf(Hooked);
    expect(api.repo.db.label).toBe("db");
    await svc.stop();
  });

  it("runs onModuleInit on all, then onApplicationBootstrap on all, then listens; shutdown in reverse around draining", async () => {
    const log: string[] = [];
    const { M } = moduleWith(log, `hooks-b-${process.pid}`);
    const svc = createService(M, { ...quiet, hooks: { beforeStart: [() => void log.push("beforeStart")], afterStop: [() => void log.push("afterStop")] } });
    await svc.start();
    await svc.stop("SIGTERM");
    expect(log).toEqual([
      "db.onModuleInit",
      "repo.onModuleInit",
      "service.onModuleInit",
      "db.onApplicationBootstrap",
      "repo.onApplicationBootstrap",
      "service.onApplicationBootstrap",
      "beforeStart",
      expect.stringMatching(/^register ttl=\d+$/),
      "service.beforeApplicationShutdown(SIGTERM)",
      "repo.beforeApplicationShutdown(SIGTERM)",
      "db.beforeApplicationShutdown(SIGTERM)",
      "deregister",
      "registry close",
      "service.onModuleDestroy",
      "repo.onModuleDestroy",
      "db.onModuleDestroy",
      "afterStop",
    ]);
  });

  it("gives the signal that stopped the service to beforeApplicationShutdown", async () => {
    const log: string[] = [];
    const { M } = moduleWith(log, `hooks-c-${process.pid}`);
    const svc = createService(M, quiet);
    await svc.start();
    const exited = new Promise<number>((resolve) => {
      const remove = handleSignals(svc, (code) => (remove(), resolve(code)));
    });
    process.emit("SIGTERM", "SIGTERM");
    await expect(exited).resolves.toBe(0);
    expect(log.filter((l) => l.includes("Shutdown") || l.includes("Destroy"))).toEqual([
      "service.beforeApplicationShutdown(SIGTERM)",
      "repo.beforeApplicationShutdown(SIGTERM)",
      "db.beforeApplicationShutdown(SIGTERM)",
      "service.onModuleDestroy",
      "repo.onModuleDestroy",
      "db.onModuleDestroy",
    ]);
  });

  it("a failing onModuleInit aborts the start before anything listens or registers", async () => {
    const log: string[] = [];
    const { M } = moduleWith(log, `hooks-d-${process.pid}`);
    const svc = createService(M, quiet);
    await svc.ready();
    const repo = svc.container!.get(Repo);
    repo.onModuleInit = async () => {
      throw new Error("database unreachable");
    };
    await expect(svc.start()).rejects.toThrow("database unreachable");
    expect(log.filter((l) => l.startsWith("register"))).toEqual([]);
    expect(log).not.toContain("repo.onApplicationBootstrap");
    await svc.stop();
  });

  it("a failing shutdown hook is logged and shutdown goes on", async () => {
    const log: string[] = [];
    const { M } = moduleWith(log, `hooks-e-${process.pid}`);
    const logger = new RecordingLogger();
    const svc = await createService(M, { ...quiet, logger }).ready();
    svc.container!.get(Repo).beforeApplicationShutdown = async () => {
      throw new Error("flush failed");
    };
    await svc.start();
    await svc.stop();
    expect(log).toContain("deregister");
    expect(log).toContain("db.onModuleDestroy");
    expect(logger.lines.filter((l) => l.level === "warn").map((l) => [l.msg, l.fields.error, l.fields.provider])).toEqual([
      ["beforeApplicationShutdown failed during shutdown", "Error: flush failed", "Repo"],
    ]);
  });

  it("a service that never started runs no shutdown hooks; one that was never built builds nothing on stop", async () => {
    const log: string[] = [];
    const { M } = moduleWith(log, `hooks-f-${process.pid}`);
    const built = await createService(M, quiet).ready();
    await built.stop();
    expect(log).toEqual(["registry close"]);
    const never = createService(M, quiet);
    await never.stop();
    expect(() => never.registry).toThrow(/not built yet/);
  });
});
