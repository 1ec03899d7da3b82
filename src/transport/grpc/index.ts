export { GrpcTransport } from "./grpc-transport";
export { DEFAULT_GRPC_TRANSPORT_OPTIONS, resolveGrpcTransportOptions, type GrpcTransportOptions, type ResolvedGrpcTransportOptions } from "./options";
export { GrpcStatus, grpcStatusOf, microErrorOf, type GrpcStatusCode } from "./status";
export { endpointOfPath, pathOfEndpoint } from "./metadata";
