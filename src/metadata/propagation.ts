/**
 * Writes the active trace's propagation headers (`traceparent`, `tracestate`, `baggage`) into an
 * outgoing message's headers, and says whether it wrote `Traceparent` (else the client makes
 * one). Unset while tracing is off, so a call pays one `undefined` check; the tracing setup
 * installs it.
 */
export type HeaderInjector = (header: Record<string, string>) => boolean;

let injector: HeaderInjector | undefined;

/** Installs (or with undefined removes) the injector every client and publisher uses. */
export function setHeaderInjector(next: HeaderInjector | undefined): void {
  injector = next;
}

/** Runs the installed injector on `header`, if any; true when it wrote `Traceparent`. */
export function injectTraceHeaders(header: Record<string, string>): boolean {
  return injector !== undefined && injector(header);
}
