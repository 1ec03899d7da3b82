/**
 * One message type as the codecs see it. The "native" form is what a handler receives and
 * returns: a plain object with 64-bit integers as decimal strings, enums by name, bytes as
 * `Uint8Array`, and every proto3 field present (its default when unset).
 */
export interface MessageSchema {
  /** Fully qualified name without the leading dot: `greeter.HelloRequest`. */
  readonly name: string;
  /** Binary protobuf encoding of a native (or JSON-mapped) value. */
  encode(value: unknown): Uint8Array;
  /** Decodes binary protobuf into the native form; throws on malformed input. */
  decode(data: Uint8Array): unknown;
  /** Converts a parsed proto3 JSON value into the native form; throws on values of the wrong kind. */
  fromJSON(json: unknown): unknown;
  /** Converts a native value into its proto3 JSON mapping (int64 as strings, enums by name, bytes as base64). */
  toJSON(value: unknown): unknown;
}

/** One rpc method of a `.proto` service: its request and response types and which sides stream. */
export interface MethodSchema {
  /** Fully qualified method name: `greeter.Greeter.Hello`. */
  readonly name: string;
  /** The gRPC path: `/greeter.Greeter/Hello`. */
  readonly path: string;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}
