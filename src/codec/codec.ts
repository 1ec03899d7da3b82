import type { MessageSchema } from "./schema";

/** What a message is, so envelope codecs (JSON-RPC) can wrap it correctly. */
export interface Frame {
  type: "request" | "response" | "event" | "error";
  /** The `Micro-Id` of the exchange. */
  id: string;
  /** `Greeter.Hello` for requests and responses, the topic for events. */
  endpoint: string;
  /**
   * The message type of this body when the endpoint's types come from a `.proto`: the
   * protobuf codecs need it, the JSON codecs apply proto3's JSON mapping with it.
   */
  schema?: MessageSchema;
}

/** Turns values into bytes and back for one family of Content-Types. */
export interface Codec {
  /** Short name: "json", "json-rpc". */
  readonly name: string;
  /** The Content-Types this codec answers to; the first is the one it sends. */
  readonly contentTypes: readonly string[];
  marshal(value: unknown, frame: Frame): Buffer;
  /** Throws on malformed input; the server turns that into a 400. */
  unmarshal(data: Buffer, frame: Frame): unknown;
}
