import { Reader, Writer } from "protobufjs/minimal";

/** The path stock health checkers call. */
export const HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check";

/** The gRPC service name of the health service. */
export const HEALTH_SERVICE = "grpc.health.v1.Health";

/** `grpc.health.v1.HealthCheckResponse.ServingStatus` values. */
export const ServingStatus = { SERVING: 1, NOT_SERVING: 2 } as const;

/** The `service` field of a `HealthCheckRequest` (protobuf, field 1); "" when absent. */
export function healthRequestService(body: Buffer, json: boolean): string {
  if (json) {
    const v: unknown = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    return typeof v === "object" && v !== null && typeof (v as { service?: unknown }).service === "string" ? (v as { service: string }).service : "";
  }
  const r = Reader.create(body);
  let service = "";
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) service = r.string();
    else r.skipType(tag & 7);
  }
  return service;
}

/** A `HealthCheckResponse` with `status`, in protobuf or proto3 JSON. */
export function healthResponse(status: number, json: boolean): Buffer {
  if (json) return Buffer.from(JSON.stringify({ status: status === ServingStatus.SERVING ? "SERVING" : "NOT_SERVING" }));
  return Buffer.from(Writer.create().uint32(8).int32(status).finish());
}
