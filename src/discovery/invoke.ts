/**
 * Calls `fn` and always returns a promise: a synchronous throw (a handler written without
 * `async`) becomes a rejection instead of escaping the caller's promise chain.
 */
export function invokeSafely<A, B, R>(fn: (a: A, b: B) => R | PromiseLike<R>, a: A, b: B): Promise<R> {
  try {
    return Promise.resolve(fn(a, b));
  } catch (err) {
    return Promise.reject(err as Error);
  }
}
