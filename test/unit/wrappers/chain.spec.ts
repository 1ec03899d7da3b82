import { Container } from "inversify";
import { containerInstantiate } from "../../../src/di/wrappers";
import { compose, toWrapFn } from "../../../src/wrappers/chain";

type Fn = (x: string) => string;

class Suffix {
  static built = 0;
  constructor() {
    Suffix.built++;
  }
  wrap(next: Fn): Fn {
    return (x) => next(`${x}+class`);
  }
}

describe("wrapper chains", () => {
  const inner: Fn = (x) => `${x}!`;

  it("accepts a function, an object with wrap(next) and a class with wrap(next), first listed outermost", () => {
    const fn = compose<Fn>([(next) => (x) => next(`${x}+fn`), { wrap: (next) => (x) => next(`${x}+object`) }, Suffix], inner);
    expect(fn("a")).toBe("a+fn+object+class!");
  });

  it("returns the inner function itself when there are no wrappers (nothing added to the hot path)", () => {
    expect(compose<Fn>([], inner)).toBe(inner);
  });

  it("builds a class once per chain, through the given instantiate (the DI container in a module)", () => {
    Suffix.built = 0;
    const container = new Container({ defaultScope: "Singleton" });
    const instantiate = containerInstantiate(container);
    const a = compose<Fn>([Suffix], inner, instantiate);
    const b = compose<Fn>([Suffix], inner, instantiate);
    expect([a("x"), b("y")]).toEqual(["x+class!", "y+class!"]);
    expect(Suffix.built).toBe(1); // a singleton in the container
  });

  it("refuses what is not a wrapper, saying what is expected", () => {
    expect(() => toWrapFn<Fn>(42 as never)).toThrow(/not a wrapper: 42 \(expected next => fn, an object with wrap\(next\), or a class with wrap\(next\)\)/);
  });
});
