export type { Codec, Frame } from "./codec";
export { JsonCodec } from "./json";
export { JsonRpcCodec } from "./json-rpc";
export { CodecSet } from "./codecs";
export { DEFAULT_CODECS } from "./defaults";
