import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { canonicalHeader, Headers } from "../headers";

/**
 * The endpoint a gRPC path names, as go-micro's grpc server maps it: `/greeter.Greeter/Hello`
 * → `Greeter.Hello` (the last dot-separated part of the service, then the method); undefined
 * for a path that is not `/<service>/<method>`.
 */
export function endpointOfPath(path: string): string | undefined {
  const parts = path.split("/");
  if (parts.length !== 3 || parts[0] !== "" || parts[1] === "" || parts[2] === "") return undefined;
  const service = parts[1]!;
  return `${service.slice(service.lastIndexOf(".") + 1)}.${parts[2]}`;
}

/**
 * The gRPC path for a call to `endpoint` of `service`, as go-micro's grpc client builds it:
 * `greeter` + `Greeter.Hello` → `/greeter.Greeter/Hello`. An endpoint already written as a path
 * (`/pkg.Svc/Method`) is used as it is; one without a dot is `/<service>/<endpoint>`.
 */
export function pathOfEndpoint(service: string, endpoint: string): string {
  if (endpoint.startsWith("/")) return endpoint;
  const dot = endpoint.indexOf(".");
  if (dot < 0 || endpoint.indexOf(".", dot + 1) >= 0) return `/${service}/${endpoint}`;
  return service === "" ? `/${endpoint.slice(0, dot)}/${endpoint.slice(dot + 1)}` : `/${service}.${endpoint.slice(0, dot)}/${endpoint.slice(dot + 1)}`;
}

/** The gRPC service a tsmicro endpoint belongs to: `greeter` + `Greeter.Hello` → `greeter.Greeter`. */
export function grpcServiceOf(service: string, endpoint: string): string | undefined {
  const dot = endpoint.indexOf(".");
  if (dot <= 0) return undefined;
  return service === "" ? endpoint.slice(0, dot) : `${service}.${endpoint.slice(0, dot)}`;
}

/** True for the content types a gRPC peer may send: `application/grpc` and `application/grpc+<codec>`. */
export function isGrpcContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.toLowerCase();
  return v === "application/grpc" || v.startsWith("application/grpc+") || v.startsWith("application/grpc;");
}

/**
 * The tsmicro codec's Content-Type for a gRPC one: `application/grpc` and `+proto` are
 * protobuf, `+json` is JSON, `+<x>` is `application/<x>`.
 */
export function codecContentType(grpcType: string): string {
  const v = grpcType.toLowerCase().split(";")[0]!.trim();
  const sub = v.startsWith("application/grpc+") ? v.slice("application/grpc+".length) : "proto";
  if (sub === "proto" || sub === "protobuf") return "application/protobuf";
  return `application/${sub}`;
}

/** The gRPC Content-Type for a tsmicro codec's one (the inverse of {@link codecContentType}). */
export function grpcContentType(codecType: string | undefined): string {
  const v = (codecType ?? "application/json").toLowerCase().split(";")[0]!.trim();
  if (v === "application/protobuf" || v === "application/x-protobuf" || v === "application/proto") return "application/grpc+proto";
  return `application/grpc+${v.startsWith("application/") ? v.slice("application/".length) : v}`;
}

const TIMEOUT_UNITS: Readonly<Record<string, number>> = { H: 3_600_000_000_000, M: 60_000_000_000, S: 1_000_000_000, m: 1_000_000, u: 1_000, n: 1 };

/** A `grpc-timeout` value (`100m`, `5S`) in nanoseconds; undefined when malformed. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,8}[HMSmun]$/.test(value)) return undefined;
  return Number(value.slice(0, -1)) * TIMEOUT_UNITS[value[value.length - 1]!]!;
}

/** A budget in nanoseconds as a `grpc-timeout` value (at most 8 digits), rounded up. */
export function formatGrpcTimeout(ns: number): string {
  for (const unit of ["n", "u", "m", "S", "M", "H"]) {
    const n = Math.ceil(ns / TIMEOUT_UNITS[unit]!);
    if (n <= 99_999_999) return `${Math.max(n, 1)}${unit}`;
  }
  return "99999999H";
}

/** Request headers that are the protocol's own, not caller metadata. */
const RESERVED_IN = new Set(["content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "user-agent", "content-length", "host", "connection", "accept-encoding"]);

/**
 * A gRPC request's headers as a tsmicro request header: caller metadata by its canonical name
 * (`x-tenant` → `X-Tenant`; `-bin` values stay base64 text), `grpc-timeout` as `Timeout`
 * nanoseconds, the codec's Content-Type.
 */
export function requestHeader(h: IncomingHttpHeaders, endpoint: string, id: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in h) {
    if (name.charCodeAt(0) === 58 /* ":" */ || RESERVED_IN.has(name)) continue;
    const value = h[name];
    if (value === undefined) continue;
    const canonical = canonicalHeader(name);
    if (out[canonical] === undefined) out[canonical] = Array.isArray(value) ? value.join(", ") : value;
  }
  out[Headers.endpoint] = endpoint;
  out[Headers.id] = id;
  out[Headers.contentType] = codecContentType(String(h["content-type"]));
  const ns = parseGrpcTimeout(h["grpc-timeout"] as string | undefined);
  if (ns !== undefined) out[Headers.timeout] = String(ns);
  return out;
}

/** Message headers that travel in the path, the content type or the framing instead of as metadata. */
const RESERVED_OUT = new Set<string>([Headers.endpoint, Headers.method, Headers.id, Headers.contentType, Headers.timeout, Headers.stream, Headers.error, Headers.ack, Headers.cancel]);

/** The HTTP/2 request headers of a gRPC call built from a tsmicro request message. */
export function callHeaders(header: Record<string, string>, authority: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    ":method": "POST",
    ":scheme": "http",
    ":authority": authority,
    ":path": pathOfEndpoint(header[Headers.service] ?? "", header[Headers.endpoint] ?? header[Headers.method] ?? ""),
    "content-type": grpcContentType(header[Headers.contentType]),
    te: "trailers",
    "grpc-accept-encoding": "identity",
  };
  const ns = Number(header[Headers.timeout]);
  if (Number.isFinite(ns) && ns > 0) out["grpc-timeout"] = formatGrpcTimeout(ns);
  for (const name in header) {
    if (RESERVED_OUT.has(name)) continue;
    const lower = name.toLowerCase();
    if (lower.startsWith("grpc-") || lower.charCodeAt(0) === 58 || RESERVED_IN.has(lower)) continue;
    out[lower] = header[name];
  }
  return out;
}
