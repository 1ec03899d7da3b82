import { Container } from "inversify";
import { bindProvider } from "../../../src/di/bind";

const A = Symbol("a");
const B = Symbol("b");
const C = Symbol("c");

function container(): Container {
  const c = new Container({ defaultScope: "Singleton" });
  bindProvider(c, { provide: A, useValue: 1 });
  bindProvider(c, { provide: B, useFactory: (a: number) => a + 1, inject: [A] });
  bindProvider(c, { provide: C, useFactory: async (b: number) => (await Promise.resolve(), b * 10), inject: [B] });
  return c;
}

describe("bindProvider's factories", () => {
  // Regression guard: code that reads the container synchronously (wrapper tokens, interceptor
  // classes) must keep working for sync factories now that factories may be async.
  it("a sync factory with sync dependencies resolves synchronously", () => {
    expect(container().get(B)).toBe(2);
  });

  it("an async factory, and anything injecting it, resolve with getAsync, once", async () => {
    const c = container();
    const D = Symbol("d");
    const seen: number[] = [];
    bindProvider(c, { provide: D, useFactory: (cv: number) => (seen.push(cv), `d${cv}`), inject: [C] });
    expect(() => c.get(D)).toThrow();
    await expect(c.getAsync(D)).resolves.toBe("d20");
    await expect(c.getAsync(D)).resolves.toBe("d20");
    expect(c.get(D)).toBe("d20"); // a resolved singleton is then available synchronously
    expect(seen).toEqual([20]);
  });

  it("a missing dependency fails with inversify's error naming it", async () => {
    const c = new Container();
    bindProvider(c, { provide: B, useFactory: (a: number) => a, inject: [A] });
    await expect(c.getAsync(B)).rejects.toThrow(/Symbol\(a\)/);
  });
});
