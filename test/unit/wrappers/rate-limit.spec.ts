import { ErrorIds, rateLimit } from "../../../src";
import { context, request } from "./fixtures";

const ok = async (): Promise<unknown> => "ran";

describe("rateLimit", () => {
  it("answers 429 tsmicro.rate_limited once an endpoint used its points, per endpoint by default", async () => {
    const fn = rateLimit({ points: 2, durationSec: 60 })(ok);
    await expect(fn(request("A.Do"), context())).resolves.toBe("ran");
    await expect(fn(request("A.Do"), context())).resolves.toBe("ran");
    await expect(fn(request("A.Do"), context())).rejects.toMatchObject({ code: 429, id: ErrorIds.rateLimited, detail: expect.stringContaining("A.Do") });
    await expect(fn(request("B.Do"), context())).resolves.toBe("ran");
  });

  it("shares one budget per server with per: \"server\"", async () => {
    const fn = rateLimit({ points: 1, durationSec: 60, per: "server" })(ok);
    await expect(fn(request("A.Do"), context())).resolves.toBe("ran");
    await expect(fn(request("B.Do"), context())).rejects.toMatchObject({ code: 429, detail: expect.stringContaining("this server") });
  });

  it("keys by what a function returns (a caller)", async () => {
    const fn = rateLimit({ points: 1, durationSec: 60, per: (_req, ctx) => ctx.caller ?? "anon" })(ok);
    await expect(fn(request("A.Do"), context("x"))).resolves.toBe("ran");
    await expect(fn(request("A.Do"), context("y"))).resolves.toBe("ran");
    await expect(fn(request("A.Do"), context("x"))).rejects.toMatchObject({ code: 429 });
  });

  it("does not run the handler when it refuses", async () => {
    let runs = 0;
    const fn = rateLimit({ points: 1, durationSec: 60 })(async () => ++runs);
    await fn(request("A.Do"), context());
    await fn(request("A.Do"), context()).catch(() => undefined);
    expect(runs).toBe(1);
  });
});
