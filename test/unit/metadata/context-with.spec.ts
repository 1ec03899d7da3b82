import { Context } from "../../../src";

describe("Context.with", () => {
  const headers = { Traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "X-User": "ada" };

  it("does not make the signal until the copy's is read, then reads the original's", () => {
    // Regression: with() made every request's AbortController, which the tracing wrapper paid per call.
    const controller = new AbortController();
    const signal = jest.fn(() => controller.signal);
    const ctx = new Context({ headers, signal });
    const copy = ctx.with({ endpoint: "Other.Endpoint" });
    expect(signal).not.toHaveBeenCalled();
    expect(copy.signal).toBe(controller.signal);
    expect(ctx.signal).toBe(controller.signal);
    expect(signal).toHaveBeenCalledTimes(1);
  });

  it("keeps the metadata and trace of the original unless replaced", () => {
    const ctx = new Context({ headers });
    const copy = ctx.with({ endpoint: "Other.Endpoint" });
    expect(copy.metadata).toEqual(ctx.metadata);
    expect(copy.trace).toEqual(ctx.trace);
    expect(copy.trace?.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("takes the fields it is given, an explicit undefined trace included", () => {
    const ctx = new Context({ headers });
    const trace = { traceId: "1".repeat(32), spanId: "2".repeat(16), flags: "01" };
    expect(ctx.with({ trace }).trace).toBe(trace);
    expect(ctx.with({ trace: undefined }).trace).toBeUndefined();
    expect(ctx.with({ metadata: { a: "b" } }).metadata).toEqual({ a: "b" });
    // New headers do not replace the metadata the original already has.
    expect(ctx.with({ headers: { "X-Other": "1" } }).metadata).toEqual(ctx.metadata);
  });
});
