import { getModuleMeta, getServiceMeta, type Constructor, type Provider } from "../decorators/metadata-keys";

/** Everything a module tree declares, imports first so the importing module wins. */
export interface ScannedModule {
  providers: Provider[];
  services: Constructor[];
}

/**
 * Walks `@Module` imports depth-first, each module once. Throws, naming the class and the
 * module, when `services` lists a class without `@Service`: served anyway it would answer under
 * another class's service name, without anyone having asked for that.
 */
export function scanModule(root: Constructor, seen: Set<Constructor> = new Set()): ScannedModule {
  const out: ScannedModule = { providers: [], services: [] };
  if (seen.has(root)) return out;
  seen.add(root);
  const meta = getModuleMeta(root);
  if (!meta) throw new Error(`${root.name} is not a @Module`);
  for (const imported of meta.imports ?? []) {
    const sub = scanModule(imported, seen);
    out.providers.push(...sub.providers);
    out.services.push(...sub.services);
  }
  out.providers.push(...(meta.providers ?? []));
  for (const s of meta.services ?? []) {
    if (typeof s !== "function" || !getServiceMeta(s)) {
      const what = typeof s === "function" ? s.name || "an anonymous class" : String(s);
      throw new Error(`${what} is listed in ${root.name}.services but has no @Service decorator`);
    }
    if (!out.services.includes(s)) out.services.push(s);
  }
  return out;
}

/** The token a provider entry binds. */
export function providerToken(p: Provider): unknown {
  return typeof p === "function" ? p : p.provide;
}
