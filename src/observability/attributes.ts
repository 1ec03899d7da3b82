import { toMicroError } from "../errors";

/**
 * Attribute names from the OpenTelemetry semantic conventions for RPC and messaging, written
 * out (they are stable) so the core needs only @opentelemetry/api.
 */
export const Attr = {
  rpcSystem: "rpc.system",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
  serverAddress: "server.address",
  messagingSystem: "messaging.system",
  messagingDestination: "messaging.destination.name",
  messagingOperation: "messaging.operation.type",
  messagingMessageId: "messaging.message.id",
  errorType: "error.type",
  /** tsmicro's own: the MicroError code (an HTTP status) and the attempt number. */
  statusCode: "rpc.tsmicro.status_code",
  attempt: "rpc.tsmicro.attempt",
} as const;

/** `rpc.system` of every tsmicro span. */
export const RPC_SYSTEM = "tsmicro";

/** The MicroError code and id of a failure, for span attributes and metric labels. */
export function failureOf(err: unknown): { code: number; id: string; detail: string } {
  const e = toMicroError(err, err instanceof Error ? err.message : String(err));
  return { code: e.code, id: e.id, detail: e.detail };
}
