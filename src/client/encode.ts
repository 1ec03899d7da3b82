import type { Codec, Frame } from "../codec/codec";
import { badRequest } from "../errors";

/**
 * Encodes a request body; a value the codec cannot encode (no `.proto` type for protobuf, a
 * field of the wrong kind) is a 400 raised before anything is sent, so no node is blamed and
 * nothing is retried.
 */
export function encodeRequest(codec: Codec, value: unknown, frame: Frame): Buffer {
  try {
    return codec.marshal(value, frame);
  } catch (err) {
    throw badRequest(`cannot encode the ${frame.type} to "${frame.endpoint}" as ${codec.name}: ${(err as Error).message}`);
  }
}
