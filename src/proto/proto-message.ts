import type { MessageSchema } from "../codec/schema";
import type { ProtoRegistry } from "./proto-registry";

/** A `.proto` message type with its TypeScript type: what generated code exports beside each interface. */
export interface ProtoMessage<T> {
  /** The untyped schema the codecs use. */
  readonly schema: MessageSchema;
  /** Binary protobuf encoding. */
  encode(value: T): Uint8Array;
  /** Decodes binary protobuf; throws on malformed input. */
  decode(data: Uint8Array): T;
  /** Converts parsed proto3 JSON. */
  fromJSON(json: unknown): T;
  /** Converts to proto3 JSON (int64 as strings, enums by name, bytes as base64). */
  toJSON(value: T): unknown;
}

/** The message type `name` of `registry`, typed as `T` (the interface generated for it). */
export function protoMessage<T>(registry: ProtoRegistry, name: string): ProtoMessage<T> {
  const schema = registry.message(name);
  return {
    schema,
    encode: (value) => schema.encode(value),
    decode: (data) => schema.decode(data) as T,
    fromJSON: (json) => schema.fromJSON(json) as T,
    toJSON: (value) => schema.toJSON(value),
  };
}
