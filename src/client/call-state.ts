import { ErrorIds, MicroError } from "../errors";

/**
 * The cancellation state of one call: a minimal stand-in for AbortController on the hot path
 * (one listener, no EventTarget), fired by the call's deadline timer or the caller's signal.
 */
export class CallState {
  /** Set once the call is cancelled; the reason it failed. */
  error: Error | undefined;
  private listener: (() => void) | undefined;

  /** Cancels the call with `error`; later calls do nothing. */
  cancel(error: Error): void {
    if (this.error) return;
    this.error = error;
    const l = this.listener;
    this.listener = undefined;
    l?.();
  }

  /** Sets (or clears) the one function to run on cancel. */
  onCancel(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  /**
   * Waits for `work` but no longer than the call lives: rejects with the call's error once it is
   * cancelled. `work` itself goes on (it may be shared with other calls, like a dial).
   */
  bound<T>(work: Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<T>((resolve, reject) => {
      this.onCancel(() => reject(this.error!));
      work.then(
        (v) => (this.onCancel(undefined), resolve(v)),
        (e: unknown) => (this.onCancel(undefined), reject(e as Error)),
      );
    });
  }
}

/**
 * The error a call fails with when `signal` aborts: the signal's own MicroError reason (a
 * handler's context that timed out says 408), else 499 `tsmicro.cancelled`.
 */
export function abortError(signal: AbortSignal, what: string): MicroError {
  const reason: unknown = signal.reason;
  if (MicroError.is(reason)) return reason;
  return new MicroError(ErrorIds.cancelled, 499, `${what} was cancelled`, { cause: reason });
}
