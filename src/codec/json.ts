import type { Codec, Frame } from "./codec";

const EMPTY = Buffer.alloc(0);

/** Plain JSON bodies (`application/json`). An empty body decodes to `{}`. */
export class JsonCodec implements Codec {
  readonly name: string = "json";
  readonly contentTypes: readonly string[] = ["application/json"];

  marshal(value: unknown, _frame?: Frame): Buffer {
    return value === undefined ? EMPTY : Buffer.from(JSON.stringify(value));
  }

  unmarshal(data: Buffer, _frame?: Frame): unknown {
    return data.length === 0 ? {} : JSON.parse(data.toString("utf8"));
  }
}
