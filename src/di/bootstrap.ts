import type { Constructor } from "../decorators/metadata-keys";
import { invokeSafely } from "../discovery/invoke";
import type { MicroService } from "../service/service";
import { handleSignals } from "../service/signals";
import { createService, type CreateServiceOptions } from "./create-service";

/** Options of `bootstrap`. */
export interface BootstrapOptions extends CreateServiceOptions {
  /** Stop and exit on SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
}

/**
 * Builds, starts and registers the service `AppModule` describes, and (by default) makes
 * SIGTERM/SIGINT deregister, drain and exit 0. Resolves with the running service.
 */
export async function bootstrap(AppModule: Constructor, options: BootstrapOptions = {}): Promise<MicroService> {
  const service = createService(AppModule, options);
  if (options.handleSignals !== false) handleSignals(service);
  try {
    await service.start();
  } catch (err) {
    await service.stop().catch(() => undefined);
    throw err;
  }
  return service;
}

/**
 * The Function model: a service that serves exactly one request or event, then drains,
 * deregisters and stops (`done` resolves). Internal `Debug.*` calls do not count.
 */
export async function bootstrapFunction(AppModule: Constructor, options: BootstrapOptions = {}): Promise<MicroService> {
  let fired = false;
  const once = (service: () => MicroService): void => {
    if (fired) return;
    fired = true;
    // After this turn, so the reply is handed to the transport before draining starts.
    setImmediate(() => void service().stop());
  };
  return bootstrap(AppModule, {
    ...options,
    decorate: (d, service) => {
      options.decorate?.(d, service);
      for (const h of d.handlers) {
        const invoke = h.invoke;
        // invokeSafely: a handler that throws synchronously must still end the Function.
        h.invoke = (req, ctx) => invokeSafely(invoke, req, ctx).finally(() => once(service));
      }
      for (const s of d.subscribers) {
        const invoke = s.invoke;
        s.invoke = (ev, ctx) => invokeSafely(invoke, ev, ctx).finally(() => once(service));
      }
    },
  });
}
