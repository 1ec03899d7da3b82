import type { Codec, Frame } from "./codec";
import type { MessageSchema } from "./schema";

/**
 * Binary protobuf bodies (`application/protobuf`, also `application/x-protobuf`). The message
 * type comes with the frame (the endpoint's `.proto` method); a `Uint8Array` value is taken as
 * already encoded. An empty body is the message with every field at its default, as in protobuf.
 */
export class ProtobufCodec implements Codec {
  readonly name: string = "protobuf";
  readonly contentTypes: readonly string[] = ["application/protobuf", "application/x-protobuf"];

  marshal(value: unknown, frame: Frame): Buffer {
    if (value instanceof Uint8Array) return asBuffer(value);
    return asBuffer(schemaOf(frame).encode(value ?? {}));
  }

  unmarshal(data: Buffer, frame: Frame): unknown {
    return schemaOf(frame).decode(data);
  }
}

/** The frame's message type, or an error saying how to give the endpoint one. */
export function schemaOf(frame: Frame): MessageSchema {
  if (frame.schema) return frame.schema;
  throw new Error(
    `no protobuf message type is known for ${frame.type} "${frame.endpoint}": give the service its .proto ` +
      `(a ProtoTypes provider) or call with a generated client`,
  );
}

/** A Buffer view of `bytes` without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
