export type {
  HandlerFn,
  HandlerWrapper,
  HandlerWrapperLike,
  Server,
  ServerEvent,
  ServerRequest,
  SubscriberFn,
  SubscriberWrapper,
  SubscriberWrapperLike,
} from "./server";
export { RpcServer } from "./rpc-server";
export { type RpcServerOptions, DEFAULT_RPC_SERVER_OPTIONS, resolveRpcServerOptions } from "./options";
export { validateInto, type ValidateOptions } from "./validation";
export { Router } from "./router";
export { type HealthResponse } from "../debug/handlers";
