/**
 * A class form of a wrapper: an object whose `wrap(next)` returns the wrapped function. Such a
 * class may be `@Injectable()` and `@Inject` its dependencies; the DI layer constructs it.
 */
export interface Interceptor<F> {
  wrap(next: F): F;
}

/** A wrapper given as a plain function `next => fn`. */
export type WrapFn<F> = (next: F) => F;

/** A constructor of an {@link Interceptor}. */
export type InterceptorClass<F> = new (...args: never[]) => Interceptor<F>;

/** Anything accepted where a wrapper is expected: a function, an interceptor instance, or its class. */
export type WrapperLike<F> = WrapFn<F> | Interceptor<F> | InterceptorClass<F>;

/** Makes an instance of an interceptor class; the DI layer resolves it from the container. */
export type Instantiate = <T>(cls: new (...args: never[]) => T) => T;

const construct: Instantiate = <T>(cls: new (...args: never[]) => T): T => new (cls as new () => T)();

/** True for a class whose prototype has `wrap`: told apart from a plain wrapper function this way. */
export function isInterceptorClass<F>(w: WrapperLike<F>): w is InterceptorClass<F> {
  return typeof w === "function" && typeof (w.prototype as Partial<Interceptor<F>> | undefined)?.wrap === "function";
}

/** Turns any accepted wrapper form into a plain `next => fn`; classes are built with `instantiate`. */
export function toWrapFn<F>(w: WrapperLike<F>, instantiate: Instantiate = construct): WrapFn<F> {
  if (isInterceptorClass(w)) {
    const instance = instantiate(w);
    return (next) => instance.wrap(next);
  }
  if (typeof w === "function") return w as WrapFn<F>;
  if (w && typeof w.wrap === "function") return (next) => w.wrap(next);
  throw new TypeError(`not a wrapper: ${String(w)} (expected next => fn, an object with wrap(next), or a class with wrap(next))`);
}

/**
 * Builds the chain once: the first wrapper is the outermost. With no wrappers `inner` itself is
 * returned, so an empty pipeline adds no call on the hot path.
 */
export function compose<F>(wrappers: readonly WrapperLike<F>[], inner: F, instantiate?: Instantiate): F {
  let fn = inner;
  for (let i = wrappers.length - 1; i >= 0; i--) fn = toWrapFn(wrappers[i]!, instantiate)(fn);
  return fn;
}
