import { plainToInstance } from "class-transformer";
import type { MetadataStorage } from "class-transformer/types/MetadataStorage";
import type { Constructor } from "../../decorators/metadata-keys";

type Instantiate = (body: Record<string, unknown>) => Record<string, unknown>;

/** Builds request instances of one class. */
export interface Instantiator {
  /** The instance with only the whitelisted properties: unknown ones are never copied. */
  known: Instantiate;
  /** The instance with every property of the body (to report unknown ones). */
  all: Instantiate;
}

// class-transformer cannot be asked whether a class carries its metadata; its storage keeps one map per kind,
// keyed by class. Read once per class, at compile time.
const KINDS = ["_typeMetadatas", "_transformMetadatas", "_exposeMetadatas", "_excludeMetadatas"] as const;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the storage module has no typings at its runtime path
const { defaultMetadataStorage } = require("class-transformer/cjs/storage") as { defaultMetadataStorage: MetadataStorage };

function hasTransformerMetadata(type: Constructor): boolean {
  const storage = defaultMetadataStorage as unknown as Record<(typeof KINDS)[number], Map<unknown, unknown> | undefined>;
  for (let t: unknown = type; typeof t === "function" && t !== Object && t !== Function.prototype; t = Object.getPrototypeOf(t)) {
    if (KINDS.some((k) => storage[k]?.has(t))) return true;
  }
  return false;
}

/**
 * Makes request instances for `type`: plain property copying when the class has no
 * class-transformer decorators (what plainToInstance would do, without its per-call cost),
 * otherwise plainToInstance itself. `known` (the whitelist) limits what `known()` keeps;
 * without one both functions keep everything.
 */
export function compileInstantiate(type: Constructor, known?: ReadonlySet<string>): Instantiator {
  if (hasTransformerMetadata(type)) {
    const all: Instantiate = (body) => plainToInstance(type, body) as Record<string, unknown>;
    if (!known) return { known: all, all };
    return { known: (body) => stripUnknown(all(body), known), all };
  }
  const Type = type as unknown as new () => Record<string, unknown>;
  const all: Instantiate = (body) => {
    const instance = new Type();
    // An own `constructor` would make class-validator look up the wrong class and check nothing
    // (class-transformer skips it too); `__proto__` would replace the prototype.
    for (const key in body) if (key !== "__proto__" && key !== "constructor") instance[key] = body[key];
    return instance;
  };
  if (!known) return { known: all, all };
  // Undecorated class fields the constructor defines: class-validator's whitelist removes them too.
  const ownExtras = Object.keys(new Type()).filter((k) => !known.has(k));
  const keys = [...known];
  return {
    known: (body) => {
      const instance = new Type();
      // Walk the class's few known names rather than whatever the caller sent.
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const value = body[key];
        if (value !== undefined || Object.hasOwn(body, key)) instance[key] = value;
      }
      for (const key of ownExtras) delete instance[key];
      return instance;
    },
    all,
  };
}

/** Deletes the instance's own properties outside `known`; returns the instance. */
function stripUnknown(instance: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> {
  for (const key of Object.keys(instance)) if (!known.has(key)) delete instance[key];
  return instance;
}

/** The body's properties outside `known`. */
export function unknownProperties(body: Record<string, unknown>, known: ReadonlySet<string>): string[] {
  return Object.keys(body).filter((k) => !known.has(k));
}
