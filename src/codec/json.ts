import type { Codec, Frame } from "./codec";

const EMPTY = Buffer.alloc(0);

/**
 * Plain JSON bodies (`application/json`). An empty body decodes to `{}`. When the frame names a
 * `.proto` message type, proto3's JSON mapping applies (int64 as strings, enums by name, bytes
 * as base64).
 */
export class JsonCodec implements Codec {
  readonly name: string = "json";
  readonly contentTypes: readonly string[] = ["application/json"];

  marshal(value: unknown, frame?: Frame): Buffer {
    if (value === undefined) return EMPTY;
    return Buffer.from(JSON.stringify(frame?.schema ? frame.schema.toJSON(value) : value));
  }

  unmarshal(data: Buffer, frame?: Frame): unknown {
    const parsed: unknown = data.length === 0 ? {} : JSON.parse(data.toString("utf8"));
    return frame?.schema ? frame.schema.fromJSON(parsed) : parsed;
  }
}
