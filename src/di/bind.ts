import type { Container, ResolutionContext, ServiceIdentifier } from "inversify";
import type { Provider } from "../decorators/metadata-keys";

/**
 * Binds one `@Module` provider entry (class, useClass, useValue or useFactory) as a singleton.
 * A factory may be async, and its `inject` tokens may be bound to async factories: then the
 * binding resolves asynchronously (`getAsync`). A sync factory whose dependencies are all sync
 * stays sync, so `container.get` keeps working for it.
 */
export function bindProvider(container: Container, p: Provider): void {
  if (typeof p === "function") {
    container.bind(p).toSelf().inSingletonScope();
    return;
  }
  const token = p.provide as ServiceIdentifier<unknown>;
  if (container.isBound(token)) container.unbindSync(token);
  if ("useClass" in p) container.bind(token).to(p.useClass).inSingletonScope();
  else if ("useValue" in p) container.bind(token).toConstantValue(p.useValue);
  else {
    const factory = p.useFactory as (...deps: unknown[]) => unknown;
    const inject = (p.inject ?? []) as ServiceIdentifier<unknown>[];
    container
      .bind(token)
      .toDynamicValue((ctx) => {
        const deps = syncDeps(ctx, inject);
        return deps ? factory(...deps) : Promise.all(inject.map((t) => ctx.getAsync(t))).then((d) => factory(...d));
      })
      .inSingletonScope();
  }
}

/** The dependencies resolved synchronously, or undefined when one of them is async. */
function syncDeps(ctx: ResolutionContext, inject: readonly ServiceIdentifier<unknown>[]): unknown[] | undefined {
  try {
    return inject.map((t) => ctx.get(t));
  } catch {
    // An async dependency (or a missing one, which getAsync reports with the same error).
    return undefined;
  }
}
