export type {
  AttemptFn,
  AttemptRequest,
  AttemptWrapper,
  AttemptWrapperLike,
  Backoff,
  CallFn,
  CallOptions,
  CallWrapper,
  CallWrapperLike,
  Client,
  ClientRequest,
  PublishFn,
  PublishOptions,
  PublishRequest,
  PublishWrapper,
  PublishWrapperLike,
  ResolvedCallOptions,
  RetryInfo,
  RetryPolicy,
} from "./client";
export { RpcClient } from "./rpc-client";
export { type RpcClientOptions, DEFAULT_RPC_CLIENT_OPTIONS, resolveRpcClientOptions } from "./options";
export { retryOnConnectionError, retryOnDraining, retryNever } from "./retry";
export { exponentialBackoff } from "./backoff";
export { ClientConnection } from "./connection";
export { ConnectionPool } from "./pool";
export { RpcClientStream, type ClientStream, type ClientStreamDeps } from "./stream";
