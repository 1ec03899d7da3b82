export { Context, type ContextInit } from "./context";
export type { CallContext } from "./call-context";
export { type Metadata, metadataFromHeaders } from "./metadata";
export { type TraceContext, parseTraceparent, formatTraceparent, childSpan } from "./trace";
