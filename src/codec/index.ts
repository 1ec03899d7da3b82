export type { Codec, Frame } from "./codec";
export type { MessageSchema, MethodSchema } from "./schema";
export { JsonCodec } from "./json";
export { JsonRpcCodec } from "./json-rpc";
export { ProtobufCodec } from "./protobuf";
export { ProtoRpcCodec, splitProtoRpc, encodeEnvelope, decodeEnvelope, type ProtoRpcEnvelope } from "./proto-rpc";
export { BytesCodec } from "./bytes";
export { CodecSet } from "./codecs";
export { DEFAULT_CODECS } from "./defaults";
