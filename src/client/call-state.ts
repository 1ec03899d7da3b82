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
}
