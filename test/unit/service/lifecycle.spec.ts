import {
  Broker,
  Handler,
  MemoryBroker,
  Module,
  Registry,
  Service,
  SilentLogger,
  createService,
  createServiceAsync,
} from "../../../src";
import { RecordingLogger } from "../../helpers/recording-logger";
import { RecordingRegistry } from "../../helpers/recording-registry";

class RecordingBroker extends MemoryBroker {
  constructor(private readonly log: string[]) {
    super();
  }
  override async connect(): Promise<void> {
    this.log.push("broker connect");
    return super.connect();
  }
  override async disconnect(): Promise<void> {
    this.log.push("broker disconnect");
    return super.disconnect();
  }
}

@Service("life")
class Life {
  @Handler()
  async ping(): Promise<string> {
    return "pong";
  }
}

describe("service lifecycle", () => {
  it("runs hooks and providers in go-micro's order, deregistering before it stops serving", async () => {
    const log: string[] = [];
    @Module({
      services: [Life],
      providers: [
        { provide: Registry, useValue: new RecordingRegistry(log) },
        { provide: Broker, useValue: new RecordingBroker(log) },
      ],
    })
    class M {}
    const svc = await createServiceAsync(M, {
      argv: ["--register_ttl=7"],
      env: {},
      logger: new SilentLogger(),
      hooks: {
        beforeStart: [() => void log.push("beforeStart")],
        afterStart: [() => void log.push("afterStart")],
        beforeStop: [() => void log.push("beforeStop")],
        afterStop: [() => void log.push("afterStop")],
      },
    });
    const transportClose = svc.transport.close.bind(svc.transport);
    svc.transport.close = async () => (log.push("transport close"), transportClose());
    await svc.start();
    await svc.stop();
    await svc.stop(); // idempotent
    expect(log).toEqual([
      "beforeStart",
      "broker connect",
      "register ttl=7000",
      "afterStart",
      "beforeStop",
      "deregister",
      "transport close",
      "broker disconnect",
      "registry close",
      "afterStop",
    ]);
    await expect(svc.done).resolves.toBeUndefined();
  });

  it("a failing stop step is logged and shutdown goes on", async () => {
    const log: string[] = [];
    const registry = new RecordingRegistry(log);
    registry.deregister = async () => {
      throw new Error("registry down");
    };
    const broker = new RecordingBroker(log);
    broker.disconnect = async () => {
      log.push("broker disconnect");
      throw new Error("broker gone");
    };
    @Module({ services: [Life], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useValue: broker }] })
    class M {}
    const logger = new RecordingLogger();
    const svc = createService(M, { argv: [], env: {}, logger });
    await svc.start();
    await svc.stop();
    expect(log.slice(-2)).toEqual(["broker disconnect", "registry close"]);
    const warnings = logger.lines.filter((l) => l.level === "warn").map((l) => `${l.msg}: ${String(l.fields.error)}`);
    expect(warnings).toEqual(["deregistration failed: Error: registry down", "broker failed during shutdown: Error: broker gone"]);
  });

});
