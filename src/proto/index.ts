export { ProtoRegistry, type ProtoDescriptor, type ProtoLoadOptions, type ProtoLookup, type ProtoService } from "./proto-registry";
export { messageSchema, NATIVE_CONVERSION, JSON_CONVERSION } from "./message-schema";
export { protoMessage, type ProtoMessage } from "./proto-message";
