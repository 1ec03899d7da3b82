import type { Codec, Frame } from "./codec";

interface JsonRpcRequest {
  method: string;
  params: unknown[];
  id: string | number | null;
}

interface JsonRpcResponse {
  id: string | number | null;
  result?: unknown;
  error?: unknown;
}

/**
 * go-micro's JSON-RPC envelope (`application/json-rpc`): requests are
 * `{method, params:[body], id}`, responses `{id, result, error}`. With a `.proto` message type
 * in the frame the body uses proto3's JSON mapping, as {@link JsonCodec} does.
 */
export class JsonRpcCodec implements Codec {
  readonly name = "json-rpc";
  readonly contentTypes = ["application/json-rpc"] as const;

  marshal(value: unknown, frame: Frame): Buffer {
    if (frame.schema && frame.type !== "error" && value !== undefined) value = frame.schema.toJSON(value);
    if (frame.type === "request" || frame.type === "event") {
      const req: JsonRpcRequest = { method: frame.endpoint, params: [value ?? null], id: frame.id };
      return Buffer.from(JSON.stringify(req));
    }
    const res: JsonRpcResponse =
      frame.type === "error" ? { id: frame.id, result: null, error: value } : { id: frame.id, result: value ?? null, error: null };
    return Buffer.from(JSON.stringify(res));
  }

  unmarshal(data: Buffer, frame: Frame): unknown {
    const value = this.unwrap(data, frame);
    return frame.schema && frame.type !== "error" ? frame.schema.fromJSON(value ?? {}) : value;
  }

  private unwrap(data: Buffer, frame: Frame): unknown {
    if (data.length === 0) return {};
    const parsed = JSON.parse(data.toString("utf8")) as Partial<JsonRpcRequest & JsonRpcResponse>;
    if (typeof parsed !== "object" || parsed === null) throw new Error("json-rpc envelope must be an object");
    if (frame.type === "request" || frame.type === "event") {
      if (!Array.isArray(parsed.params)) throw new Error("json-rpc request needs a params array");
      return parsed.params[0] ?? {};
    }
    return parsed.result;
  }
}
