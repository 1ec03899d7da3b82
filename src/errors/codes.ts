/**
 * The catalogue of error ids tsmicro itself raises. Every id here is listed in docs/errors.md;
 * user code may raise any id of its own.
 */
export const ErrorIds = {
  badRequest: "tsmicro.bad_request",
  validation: "tsmicro.validation",
  malformed: "tsmicro.malformed",
  unauthorized: "tsmicro.unauthorized",
  forbidden: "tsmicro.forbidden",
  notFound: "tsmicro.not_found",
  serviceNotFound: "tsmicro.service_not_found",
  endpointNotFound: "tsmicro.endpoint_not_found",
  methodNotAllowed: "tsmicro.method_not_allowed",
  timeout: "tsmicro.timeout",
  conflict: "tsmicro.conflict",
  tooLarge: "tsmicro.too_large",
  unsupportedMediaType: "tsmicro.unsupported_media_type",
  tooManyRequests: "tsmicro.too_many_requests",
  internal: "tsmicro.internal",
  unavailable: "tsmicro.unavailable",
  connection: "tsmicro.connection",
  draining: "tsmicro.draining",
  noNodes: "tsmicro.no_nodes",
  transportMismatch: "tsmicro.transport_mismatch",
  cancelled: "tsmicro.cancelled",
  connectionLost: "tsmicro.connection_lost",
} as const;

/** One of the ids in {@link ErrorIds}. */
export type ErrorId = (typeof ErrorIds)[keyof typeof ErrorIds];

/** HTTP-style status codes carried in `MicroError.code`, with their go-micro status text. */
export const StatusText: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  499: "Client Closed Request",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * Ids whose errors prove the request never reached a handler, so a retry cannot run it twice.
 */
export const NOT_DELIVERED_IDS: ReadonlySet<string> = new Set([
  ErrorIds.connection,
  ErrorIds.draining,
  ErrorIds.noNodes,
]);
