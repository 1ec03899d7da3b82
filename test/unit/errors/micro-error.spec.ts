import { MicroError, badRequest, toMicroError, ErrorIds } from "../../../src/errors";

describe("MicroError", () => {
  it("round-trips through the Micro-Error header", () => {
    const err = badRequest("name is required");
    const back = MicroError.parse(err.toHeader());
    expect(back).toBeInstanceOf(MicroError);
    expect(back.toJSON()).toEqual({ id: ErrorIds.badRequest, code: 400, detail: "name is required", status: "Bad Request" });
  });

  it("parses a bare string from a go-micro peer as a 500", () => {
    const err = MicroError.parse("boom");
    expect(err.code).toBe(500);
    expect(err.detail).toBe("boom");
  });

  it("normalises unknown throws to a generic 500 keeping the cause", () => {
    const cause = new Error("db password is hunter2");
    const err = toMicroError(cause);
    expect(err.code).toBe(500);
    expect(err.detail).not.toContain("hunter2");
    expect(err.cause).toBe(cause);
  });
});
