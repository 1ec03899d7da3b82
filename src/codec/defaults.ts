import type { Codec } from "./codec";
import { JsonCodec } from "./json";
import { JsonRpcCodec } from "./json-rpc";

/** The codecs clients and servers know unless told otherwise: JSON and JSON-RPC. */
export const DEFAULT_CODECS: readonly Codec[] = [new JsonCodec(), new JsonRpcCodec()];
