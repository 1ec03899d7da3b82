import { BytesCodec } from "./bytes";
import type { Codec } from "./codec";
import { JsonCodec } from "./json";
import { JsonRpcCodec } from "./json-rpc";
import { ProtobufCodec } from "./protobuf";
import { ProtoRpcCodec } from "./proto-rpc";

/** The codecs clients and servers know unless told otherwise: JSON, JSON-RPC, protobuf, proto-rpc and raw bytes. */
export const DEFAULT_CODECS: readonly Codec[] = [new JsonCodec(), new JsonRpcCodec(), new ProtobufCodec(), new ProtoRpcCodec(), new BytesCodec()];
