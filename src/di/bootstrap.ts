import { resolveConfig } from "../cmd/config";
import { getServiceMeta, type Constructor } from "../decorators/metadata-keys";
import { invokeSafely } from "../discovery/invoke";
import type { MicroService } from "../service/service";
import { handleSignals } from "../service/signals";
import { createService, type CreateServiceOptions } from "./create-service";
import { scanModule } from "./module-scan";

/** Options of `bootstrap`. */
export interface BootstrapOptions extends CreateServiceOptions {
  /** Stop and exit on SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
  /**
   * On a start-up failure print one line to stderr (`tsmicro: <service>: failed to start:
   * <reason>`, the stack only at log level debug) and exit 1; default true, like NestJS. With
   * false, `bootstrap` rejects with the error instead.
   */
  abortOnError?: boolean;
}

/**
 * Builds, starts and registers the service `AppModule` describes, and (by default) makes
 * SIGTERM/SIGINT deregister, drain and exit 0. Resolves with the running service; a start-up
 * failure exits the process (see `abortOnError`).
 */
export async function bootstrap(AppModule: Constructor, options: BootstrapOptions = {}): Promise<MicroService> {
  let service: MicroService | undefined;
  let removeSignalHandlers = (): void => undefined;
  try {
    service = createService(AppModule, options);
    if (options.handleSignals !== false) removeSignalHandlers = handleSignals(service);
    await service.start();
    return service;
  } catch (err) {
    removeSignalHandlers();
    await service?.stop().catch(() => undefined);
    if (options.abortOnError === false) throw err;
    const name = service?.name ?? options.name ?? serviceNameOf(AppModule);
    process.stderr.write(startFailureLine(name, err, logLevelOf(options)));
    return process.exit(1);
  }
}

/** The line a failed start prints; at log level debug or trace the stack follows it. */
export function startFailureLine(service: string, err: unknown, logLevel: string): string {
  // Duck-typed: errors from another realm (a vm context, a test runner) fail `instanceof Error`.
  const { message, stack } = typeof err === "object" && err !== null ? (err as Partial<Error>) : {};
  const reason = (typeof message === "string" ? message : String(err)).replace(/\s*\n\s*/g, " ");
  const verbose = (logLevel === "debug" || logLevel === "trace") && typeof stack === "string";
  return `tsmicro: ${service}: failed to start: ${reason}\n${verbose ? `${stack}\n` : ""}`;
}

/** The log level in force, even when the settings are what failed (then the raw variable). */
function logLevelOf(options: BootstrapOptions): string {
  const env = options.env ?? process.env;
  try {
    return resolveConfig({ module: options.settings, env, argv: options.argv }).logLevel;
  } catch {
    return env.MICRO_LOG_LEVEL?.trim().toLowerCase() ?? "";
  }
}

/** The `@Service` name of the module's first service class, or the module's class name. */
function serviceNameOf(AppModule: Constructor): string {
  try {
    const first = scanModule(AppModule).services[0];
    return (first && getServiceMeta(first)?.name) || AppModule.name;
  } catch {
    return AppModule.name;
  }
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
