import type { ProviderPlugin } from "./plugin";

/** The package a bare module specifier belongs to (`@scope/pkg/sub` → `@scope/pkg`), or undefined for a path. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Turns a failed plugin load into the sentence a user needs: when the backend's library is not
 * installed, the exact `npm install` line; any other failure is returned unchanged.
 */
export function explainLoadError(plugin: Pick<ProviderPlugin, "family" | "name" | "packages">, err: unknown): unknown {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e !== "object" || e === null || e.code !== "MODULE_NOT_FOUND" || typeof e.message !== "string") return err;
  // Node: "Cannot find module 'x'\nRequire stack: …"; Jest: "Cannot find module 'x' from 'file'".
  const missing = /Cannot find module '([^']+)'/.exec(e.message)?.[1];
  const pkg = missing === undefined ? undefined : packageOf(missing);
  if (!pkg) return err;
  const all = [...new Set([pkg, ...(plugin.packages ?? [])])];
  const text = `${plugin.family} "${plugin.name}" needs the npm package "${pkg}", which is not installed; run: npm install ${all.join(" ")}`;
  return Object.assign(new Error(text, { cause: err }), { code: "MODULE_NOT_FOUND" });
}
