import type { Container, ServiceIdentifier } from "inversify";
import type { Instantiate } from "../wrappers/chain";

/**
 * Builds interceptor classes from the container, so they can `@Inject` dependencies; a class
 * the module did not list is bound as a singleton on first use.
 */
export function containerInstantiate(container: Container): Instantiate {
  return <T>(cls: new (...args: never[]) => T): T => {
    const id = cls as unknown as ServiceIdentifier<T>;
    if (!container.isBound(id)) container.bind(id).toSelf().inSingletonScope();
    return container.get(id);
  };
}

/** The module's wrappers under `token` (outermost), then those given as options. */
export function moduleWrappers<W>(container: Container, token: ServiceIdentifier<readonly W[]>, given: readonly W[] | undefined): readonly W[] {
  const fromModule = container.isBound(token) ? container.get(token) : [];
  return given?.length ? [...fromModule, ...given] : fromModule;
}
