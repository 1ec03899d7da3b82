import { ErrorIds } from "./codes";
import { MicroError } from "./micro-error";

/** 400: the request is malformed or invalid. */
export const badRequest = (detail: string, id: string = ErrorIds.badRequest): MicroError => new MicroError(id, 400, detail);
/** 401: the caller is not authenticated. */
export const unauthorized = (detail: string, id: string = ErrorIds.unauthorized): MicroError => new MicroError(id, 401, detail);
/** 403: the caller may not do this. */
export const forbidden = (detail: string, id: string = ErrorIds.forbidden): MicroError => new MicroError(id, 403, detail);
/** 404: the service, endpoint or resource does not exist. */
export const notFound = (detail: string, id: string = ErrorIds.notFound): MicroError => new MicroError(id, 404, detail);
/** 405: the method is not allowed here. */
export const methodNotAllowed = (detail: string, id: string = ErrorIds.methodNotAllowed): MicroError => new MicroError(id, 405, detail);
/** 408: the deadline passed. */
export const timeout = (detail: string, id: string = ErrorIds.timeout): MicroError => new MicroError(id, 408, detail);
/** 409: the request conflicts with the current state. */
export const conflict = (detail: string, id: string = ErrorIds.conflict): MicroError => new MicroError(id, 409, detail);
/** 413: the body is over the size limit. */
export const payloadTooLarge = (detail: string, id: string = ErrorIds.tooLarge): MicroError => new MicroError(id, 413, detail);
/** 415: the Content-Type has no codec. */
export const unsupportedMediaType = (detail: string, id: string = ErrorIds.unsupportedMediaType): MicroError => new MicroError(id, 415, detail);
/** 429: the caller is being rate limited. */
export const tooManyRequests = (detail: string, id: string = ErrorIds.tooManyRequests): MicroError => new MicroError(id, 429, detail);
/** 499: the caller gave up on the request (its signal aborted or the connection closed). */
export const clientClosedRequest = (detail: string, id: string = ErrorIds.cancelled): MicroError => new MicroError(id, 499, detail);
/** 500: something failed inside the server. */
export const internalServerError = (detail: string, id: string = ErrorIds.internal): MicroError => new MicroError(id, 500, detail);
/** 503: the service or node cannot serve right now. */
export const serviceUnavailable = (detail: string, id: string = ErrorIds.unavailable): MicroError => new MicroError(id, 503, detail);

/**
 * Normalises anything thrown into a MicroError. Unknown errors become a 500 with a generic
 * detail so internals do not leak to callers; the original stays as `cause`.
 */
export function toMicroError(err: unknown, genericDetail = "internal server error"): MicroError {
  if (MicroError.is(err)) return err;
  return new MicroError(ErrorIds.internal, 500, genericDetail, { cause: err });
}
