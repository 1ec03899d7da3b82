import type { Codec } from "./codec";

const EMPTY = Buffer.alloc(0);

/** Plain JSON bodies (`application/json`). An empty body decodes to `{}`. */
export class JsonCodec implements Codec {
  readonly name = "json";
  readonly contentTypes = ["application/json"] as const;

  marshal(value: unknown): Buffer {
    return value === undefined ? EMPTY : Buffer.from(JSON.stringify(value));
  }

  unmarshal(data: Buffer): unknown {
    return data.length === 0 ? {} : JSON.parse(data.toString("utf8"));
  }
}
