import type { Codec, Frame } from "./codec";
import { asBuffer } from "./protobuf";

/**
 * Raw bytes (`application/octet-stream`): the body is the value, no encoding. Handlers receive
 * a `Buffer`; they may return a `Uint8Array` or a string (sent as UTF-8).
 */
export class BytesCodec implements Codec {
  readonly name = "bytes";
  readonly contentTypes = ["application/octet-stream"] as const;

  marshal(value: unknown, frame: Frame): Buffer {
    if (value instanceof Uint8Array) return asBuffer(value);
    if (typeof value === "string") return Buffer.from(value, "utf8");
    if (value === undefined || value === null) return Buffer.alloc(0);
    throw new TypeError(`application/octet-stream carries bytes: the ${frame.type} of "${frame.endpoint}" is a ${typeof value}, not a Uint8Array or string`);
  }

  unmarshal(data: Buffer): Buffer {
    return data;
  }
}
