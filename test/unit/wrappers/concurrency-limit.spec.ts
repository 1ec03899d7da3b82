import { ErrorIds, concurrencyLimit, type HandlerFn } from "../../../src";
import { context, request } from "./fixtures";

function gated(): { fn: HandlerFn; release: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return { fn: async () => (await gate, "ran"), release: () => open() };
}

describe("concurrencyLimit", () => {
  it("refuses with 503 tsmicro.overloaded while maxInflight requests of the endpoint run, and frees the slot after", async () => {
    const g = gated();
    const fn = concurrencyLimit({ maxInflight: 1 })(g.fn);
    const first = fn(request("A.Do"), context());
    await expect(fn(request("A.Do"), context())).rejects.toMatchObject({ code: 503, id: ErrorIds.overloaded });
    const other = fn(request("B.Do"), context()); // another endpoint has its own limit
    g.release();
    await expect(first).resolves.toBe("ran");
    await expect(other).resolves.toBe("ran");
    await expect(fn(request("A.Do"), context())).resolves.toBe("ran");
  });

  it("limits the whole server with per: \"server\", and frees a slot when the handler fails", async () => {
    const g = gated();
    let fail = true;
    const inner: HandlerFn = (req, ctx) => (fail ? Promise.reject(new Error("boom")) : g.fn(req, ctx));
    const fn = concurrencyLimit({ maxInflight: 1, per: "server" })(inner);
    await expect(fn(request("A.Do"), context())).rejects.toThrow("boom");
    fail = false;
    const running = fn(request("A.Do"), context());
    await expect(fn(request("B.Do"), context())).rejects.toMatchObject({ id: ErrorIds.overloaded });
    g.release();
    await running;
  });
});
