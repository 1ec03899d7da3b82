import type { Container, ServiceIdentifier } from "inversify";
import type { Provider } from "../decorators/metadata-keys";

/**
 * Binds one `@Module` provider entry (class, useClass, useValue or useFactory) as a singleton.
 * A factory may be async and its `inject` tokens may be async too: everything is resolved with
 * `getAsync`.
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
    const { useFactory, inject = [] } = p;
    container
      .bind(token)
      .toDynamicValue(async (ctx) => {
        const deps = await Promise.all(inject.map((t) => ctx.getAsync(t as ServiceIdentifier<unknown>)));
        return (useFactory as (...deps: unknown[]) => unknown)(...deps);
      })
      .inSingletonScope();
  }
}
