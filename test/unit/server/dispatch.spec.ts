import { CodecSet, Context, JsonCodec, JsonRpcCodec, MicroError, SilentLogger } from "../../../src";
import type { HandlerDescriptor } from "../../../src";
import { dispatch, invokeHandler, type DispatchDeps } from "../../../src/server/dispatch";
import { Router } from "../../../src/server/router";

function deps(handlers: HandlerDescriptor[], logger = new SilentLogger()): DispatchDeps {
  const router = new Router();
  handlers.forEach((h) => router.add(h));
  return { service: "svc", router, codecs: new CodecSet([new JsonCodec(), new JsonRpcCodec()]), chain: invokeHandler, logger };
}

const echo: HandlerDescriptor = { endpoint: "Svc.Echo", invoke: async (r) => r, validate: false, metadata: {} };

function request(header: Record<string, string>, body: unknown = {}): { header: Record<string, string>; body: Buffer } {
  return {
    header: { "Micro-Id": "7", "Micro-Service": "svc", "Micro-Endpoint": "Svc.Echo", "Content-Type": "application/json", ...header },
    body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  };
}

function errorOf(reply: { header: Record<string, string> }): MicroError {
  expect(reply.header["Micro-Error"]).toBeDefined();
  return MicroError.parse(reply.header["Micro-Error"]!);
}

describe("dispatch", () => {
  it("routes to the handler and encodes the reply with the request's id and codec", async () => {
    const reply = await dispatch(deps([echo]), request({}, { a: 1 }));
    expect(reply.header["Micro-Id"]).toBe("7");
    expect(reply.header["Micro-Error"]).toBeUndefined();
    expect(JSON.parse(reply.body.toString())).toEqual({ a: 1 });
  });

  it("answers 404 naming the endpoint and the service for an unknown endpoint", async () => {
    const err = errorOf(await dispatch(deps([echo]), request({ "Micro-Endpoint": "Svc.Nope" })));
    expect(err.code).toBe(404);
    expect(err.detail).toContain('"Svc.Nope"');
    expect(err.detail).toContain('"svc"');
  });

  it("answers 404 naming the service when the node serves another one", async () => {
    const err = errorOf(await dispatch(deps([echo]), request({ "Micro-Service": "other" })));
    expect(err.code).toBe(404);
    expect(err.detail).toContain('"other"');
  });

  it("answers 415 listing supported types for an unknown Content-Type", async () => {
    const err = errorOf(await dispatch(deps([echo]), request({ "Content-Type": "application/xml" })));
    expect(err.code).toBe(415);
    expect(err.detail).toContain("application/json");
    expect(err.detail).toContain("application/json-rpc");
  });

  it("answers 400 for a malformed body without calling the handler", async () => {
    const invoke = jest.fn(async () => ({}));
    const err = errorOf(await dispatch(deps([{ ...echo, invoke }]), request({}, "{not json")));
    expect(err.code).toBe(400);
    expect(err.id).toBe("tsmicro.malformed");
    expect(invoke).not.toHaveBeenCalled();
  });

  it("answers a generic 500 for a non-MicroError throw and logs the stack", async () => {
    const logger = new SilentLogger();
    const spy = jest.spyOn(logger, "error");
    const boom: HandlerDescriptor = { ...echo, invoke: async () => { throw new Error("secret db detail"); } };
    const err = errorOf(await dispatch(deps([boom], logger), request({})));
    expect(err.code).toBe(500);
    expect(err.detail).not.toContain("secret");
    expect(spy).toHaveBeenCalledWith("handler failed", expect.objectContaining({ error: expect.objectContaining({ stack: expect.stringContaining("secret db detail") }) }));
  });

  it("passes a MicroError through unchanged", async () => {
    const conflict: HandlerDescriptor = { ...echo, invoke: async () => { throw new MicroError("app.taken", 409, "name taken"); } };
    const err = errorOf(await dispatch(deps([conflict]), request({})));
    expect(err.toJSON()).toEqual({ id: "app.taken", code: 409, detail: "name taken", status: "Conflict" });
  });

  it("answers 408 when the Timeout budget passes and aborts the handler's signal", async () => {
    let seen: AbortSignal | undefined;
    const slow: HandlerDescriptor = {
      ...echo,
      invoke: (_r, ctx: Context) => {
        seen = ctx.signal;
        return new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve("late")));
      },
    };
    const err = errorOf(await dispatch(deps([slow]), request({ Timeout: String(20 * 1_000_000) })));
    expect(err.code).toBe(408);
    expect(seen?.aborted).toBe(true);
  });

  it("gives the handler a context with metadata, caller, deadline and trace", async () => {
    let ctx: Context | undefined;
    const spy: HandlerDescriptor = { ...echo, invoke: async (_r, c) => ((ctx = c), {}) };
    await dispatch(deps([spy]), request({ "Micro-From-Service": "caller", "X-Tenant": "t1", Timeout: "1000000000", Traceparent: "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01" }));
    expect(ctx!.caller).toBe("caller");
    expect(ctx!.metadata).toEqual({ "X-Tenant": "t1" });
    expect(ctx!.remainingMs()).toBeGreaterThan(0);
    expect(ctx!.remainingMs()).toBeLessThanOrEqual(1000);
    expect(ctx!.trace?.traceId).toBe("0123456789abcdef0123456789abcdef");
  });

  it("accepts go-micro's X-Micro-* header aliases", async () => {
    const reply = await dispatch(deps([echo]), {
      header: { "Micro-Id": "1", "X-Micro-Service": "svc", "X-Micro-Endpoint": "Svc.Echo", "Content-Type": "application/json" },
      body: Buffer.from("{}"),
    });
    expect(reply.header["Micro-Error"]).toBeUndefined();
  });

  it("speaks the json-rpc envelope when asked", async () => {
    const body = JSON.stringify({ method: "Svc.Echo", params: [{ x: 2 }], id: "7" });
    const reply = await dispatch(deps([echo]), request({ "Content-Type": "application/json-rpc" }, body));
    expect(JSON.parse(reply.body.toString())).toEqual({ id: "7", result: { x: 2 }, error: null });
  });
});
