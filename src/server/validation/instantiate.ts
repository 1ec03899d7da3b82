import { plainToInstance } from "class-transformer";
import type { MetadataStorage } from "class-transformer/types/MetadataStorage";
import type { Constructor } from "../../decorators/metadata-keys";

type Instantiate = (body: Record<string, unknown>) => Record<string, unknown>;

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
 * Makes the request instance for `type`: plain property copying when the class has no
 * class-transformer decorators (what plainToInstance would do, without its per-call cost),
 * otherwise plainToInstance itself.
 */
export function compileInstantiate(type: Constructor): Instantiate {
  if (hasTransformerMetadata(type)) return (body) => plainToInstance(type, body) as Record<string, unknown>;
  const Type = type as unknown as new () => Record<string, unknown>;
  return (body) => {
    const instance = new Type();
    for (const key in body) if (key !== "__proto__") instance[key] = body[key];
    return instance;
  };
}
