import type { Container, ServiceIdentifier } from "inversify";
import type { Provider } from "../decorators/metadata-keys";

/** Binds one `@Module` provider entry (class, useClass, useValue or useFactory) as a singleton. */
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
      .toDynamicValue((ctx) => (useFactory as (...deps: unknown[]) => unknown)(...inject.map((t) => ctx.get(t as ServiceIdentifier<unknown>))))
      .inSingletonScope();
  }
}
