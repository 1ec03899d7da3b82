import type { MicroService } from "./service";

/**
 * On SIGTERM or SIGINT stops the service and exits 0 (1 if stopping failed); a second signal
 * exits 1 at once. Returns a function that removes the handlers.
 */
export function handleSignals(service: MicroService, exit: (code: number) => void = (c) => process.exit(c)): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      service.logger.warn("second signal: exiting without draining", { signal });
      exit(1);
      return;
    }
    stopping = true;
    service.logger.info("signal received: shutting down", { signal });
    service.stop(signal).then(
      () => exit(0),
      (err: unknown) => (service.logger.error("shutdown failed", { error: String(err) }), exit(1)),
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
