import { ErrorIds, MicroError } from "../../errors";

/** gRPC status codes (grpc/doc/statuscodes.md). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** A gRPC status code. */
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

const BY_HTTP: Readonly<Record<number, GrpcStatusCode>> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  405: GrpcStatus.UNIMPLEMENTED,
  408: GrpcStatus.DEADLINE_EXCEEDED,
  409: GrpcStatus.ALREADY_EXISTS,
  412: GrpcStatus.FAILED_PRECONDITION,
  413: GrpcStatus.RESOURCE_EXHAUSTED,
  415: GrpcStatus.UNIMPLEMENTED,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  499: GrpcStatus.CANCELLED,
  500: GrpcStatus.INTERNAL,
  501: GrpcStatus.UNIMPLEMENTED,
  502: GrpcStatus.UNAVAILABLE,
  503: GrpcStatus.UNAVAILABLE,
  504: GrpcStatus.DEADLINE_EXCEEDED,
};

/**
 * The gRPC status for a MicroError: by its HTTP-style code (go-micro's table, extended), except
 * that an unknown endpoint or service is UNIMPLEMENTED, as stock gRPC servers answer it.
 */
export function grpcStatusOf(error: MicroError): GrpcStatusCode {
  if (error.id === ErrorIds.endpointNotFound || error.id === ErrorIds.serviceNotFound) return GrpcStatus.UNIMPLEMENTED;
  return BY_HTTP[error.code] ?? (error.code >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN);
}

const FROM_GRPC: Readonly<Record<number, readonly [number, string]>> = {
  [GrpcStatus.CANCELLED]: [499, ErrorIds.cancelled],
  [GrpcStatus.UNKNOWN]: [500, ErrorIds.internal],
  [GrpcStatus.INVALID_ARGUMENT]: [400, ErrorIds.badRequest],
  [GrpcStatus.DEADLINE_EXCEEDED]: [408, ErrorIds.timeout],
  [GrpcStatus.NOT_FOUND]: [404, ErrorIds.notFound],
  [GrpcStatus.ALREADY_EXISTS]: [409, ErrorIds.conflict],
  [GrpcStatus.PERMISSION_DENIED]: [403, ErrorIds.forbidden],
  [GrpcStatus.RESOURCE_EXHAUSTED]: [429, ErrorIds.tooManyRequests],
  [GrpcStatus.FAILED_PRECONDITION]: [412, ErrorIds.badRequest],
  [GrpcStatus.ABORTED]: [409, ErrorIds.conflict],
  [GrpcStatus.OUT_OF_RANGE]: [400, ErrorIds.badRequest],
  [GrpcStatus.UNIMPLEMENTED]: [404, ErrorIds.endpointNotFound],
  [GrpcStatus.INTERNAL]: [500, ErrorIds.internal],
  [GrpcStatus.UNAVAILABLE]: [503, ErrorIds.unavailable],
  [GrpcStatus.DATA_LOSS]: [500, ErrorIds.internal],
  [GrpcStatus.UNAUTHENTICATED]: [401, ErrorIds.unauthorized],
};

/** The MicroError for a non-OK gRPC status from a peer that sent no `micro-error` trailer. */
export function microErrorOf(status: number, message: string): MicroError {
  const [code, id] = FROM_GRPC[status] ?? [500, ErrorIds.internal];
  return new MicroError(id, code, message || `gRPC status ${status}`);
}

/**
 * The gRPC status a client derives from a non-200 HTTP response (the gRPC HTTP/2 spec's table),
 * for a peer that is not a gRPC server.
 */
export function grpcStatusOfHttp(status: number): GrpcStatusCode {
  switch (status) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** Percent-encodes a `grpc-message` value: bytes outside printable ASCII, and `%`, become `%XX`. */
export function encodeGrpcMessage(text: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(text)) return text;
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Decodes a percent-encoded `grpc-message`; malformed escapes are kept as they are. */
export function decodeGrpcMessage(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
