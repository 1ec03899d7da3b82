import type { Container } from "inversify";
import type { Client } from "../client/client";
import { getClientMetas, serviceClientToken, type Constructor, type Provider } from "../decorators/metadata-keys";

/**
 * Binds the typed client each `@InjectClient` of `classes` asks for, one per service name,
 * built from the service's client. A name bound already (by the module) is left alone.
 */
export function bindServiceClients(container: Container, client: Client, classes: Iterable<Constructor>): void {
  for (const cls of classes) {
    for (const target of getClientMetas(cls)) {
      const token = serviceClientToken(typeof target === "string" ? target : target.service);
      if (!container.isBound(token)) container.bind(token).toConstantValue(client.service(target));
    }
  }
}

/** The classes among provider entries (`Class` and `{ useClass }`), whose injections must be bound too. */
export function* providerClasses(providers: Iterable<Provider>): Iterable<Constructor> {
  for (const p of providers) {
    if (typeof p === "function") yield p;
    else if ("useClass" in p) yield p.useClass;
  }
}
