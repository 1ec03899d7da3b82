/**
 * Writes the active trace's propagation headers (`traceparent`, `tracestate`, `baggage`) into an
 * outgoing message's headers. Unset while tracing is off, so a call pays one `undefined` check;
 * the tracing setup installs it.
 */
export type HeaderInjector = (header: Record<string, string>) => void;

let injector: HeaderInjector | undefined;

/** Installs (or with undefined removes) the injector every client and publisher uses. */
export function setHeaderInjector(next: HeaderInjector | undefined): void {
  injector = next;
}

/** Runs the installed injector on `header`, if any. */
export function injectTraceHeaders(header: Record<string, string>): void {
  if (injector !== undefined) injector(header);
}
