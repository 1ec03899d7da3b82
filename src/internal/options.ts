/** Merges `partial` over `defaults`, ignoring fields that are explicitly undefined. */
export function withDefaults<D extends object, P extends object>(defaults: D, partial: P): D & P {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) out[k] = v;
  return out as D & P;
}
