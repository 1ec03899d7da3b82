import { Root } from "protobufjs";
import type { Provider } from "../decorators/metadata-keys";
import { ProtoRegistry } from "../proto/proto-registry";

/**
 * The `ProtoTypes` provider with its value made a {@link ProtoRegistry}: a module may give a
 * protobufjs `Root` (as a value or from a factory) and everyone injecting `ProtoTypes` still
 * gets a registry. Anything else is refused with the fix.
 */
export function protoTypesProvider(p: Provider): Provider {
  if (typeof p === "function" || "useClass" in p) return p;
  if ("useValue" in p) return { provide: p.provide, useValue: asProtoRegistry(p.useValue) };
  const factory = p.useFactory as (...deps: unknown[]) => unknown;
  const wrapped = (...deps: unknown[]): unknown => {
    const value = factory(...deps);
    return value instanceof Promise ? value.then(asProtoRegistry) : asProtoRegistry(value);
  };
  return { provide: p.provide, useFactory: wrapped, inject: p.inject };
}

/** A registry as it is, a protobufjs Root wrapped; anything else throws naming the fix. */
export function asProtoRegistry(value: unknown): ProtoRegistry {
  if (value instanceof ProtoRegistry) return value;
  if (value instanceof Root) return new ProtoRegistry(value);
  throw new TypeError("ProtoTypes must be a ProtoRegistry (ProtoRegistry.load(\"x.proto\"), a generated XProto) or a protobufjs Root");
}
