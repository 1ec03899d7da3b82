import { IsString } from "class-validator";
import { MemoryRegistry, RpcServer, TcpTransport, validateInto, type HandlerDescriptor, type LogFields, type Logger } from "../../../src";
import { Router } from "../../../src/server/router";

class Checked {
  @IsString() name!: string;
}
class Unchecked {
  name!: string;
}

class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  debug(msg: string, fields?: LogFields): void { this.lines.push({ level: "debug", msg, fields }); }
  info(msg: string, fields?: LogFields): void { this.lines.push({ level: "info", msg, fields }); }
  warn(msg: string, fields?: LogFields): void { this.lines.push({ level: "warn", msg, fields }); }
  error(msg: string, fields?: LogFields): void { this.lines.push({ level: "error", msg, fields }); }
  child(): Logger { return this; }
}

const descriptor = (endpoint: string, requestType?: HandlerDescriptor["requestType"]): HandlerDescriptor => ({
  endpoint,
  invoke: async () => undefined,
  requestType,
  validate: requestType !== undefined,
  metadata: {},
});

describe("server start-up checks", () => {
  it("warns once, naming the handler and the class, when a request class has no class-validator decorators", () => {
    const logger = new RecordingLogger();
    const server = new RpcServer({ name: "svc", registry: new MemoryRegistry(), transport: new TcpTransport(), logger });
    server.handle([descriptor("Svc.Loose", Unchecked), descriptor("Svc.Strict", Checked), descriptor("Svc.None")]);
    server.subscribe([{ topic: "loose.event", invoke: async () => undefined, eventType: Unchecked, validate: true }]);
    const warnings = logger.lines.filter((l) => l.level === "warn").map((l) => l.msg);
    expect(warnings).toEqual([
      "Svc.Loose: Unchecked has no class-validator decorators: its fields are not checked",
      'subscriber of "loose.event": Unchecked has no class-validator decorators: its fields are not checked',
    ]);
  });

  it("accepts requests of such a class unchecked, as the warning says", async () => {
    const req = await validateInto(Unchecked, { name: 5, extra: true });
    expect(req).toBeInstanceOf(Unchecked);
    expect(req).toMatchObject({ name: 5, extra: true });
  });

  it("refuses a descriptor that asks for validation without a class to validate against", () => {
    expect(() => new Router().add({ ...descriptor("Svc.Bad"), validate: true })).toThrow(/Svc\.Bad has validate: true but no requestType/);
    const server = new RpcServer({ name: "svc", registry: new MemoryRegistry(), transport: new TcpTransport() });
    expect(() => server.subscribe([{ topic: "t", invoke: async () => undefined, validate: true }])).toThrow(/subscriber of "t"/);
  });
});
