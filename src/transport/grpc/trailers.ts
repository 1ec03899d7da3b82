import type { OutgoingHttpHeaders } from "node:http2";
import type { MicroError } from "../../errors";
import { encodeGrpcMessage, grpcStatusOf } from "./status";

/**
 * The trailers that end a failed call: `grpc-status` and the percent-encoded `grpc-message`
 * for every gRPC peer, and `micro-error` (the whole MicroError as ASCII JSON) so a tsmicro
 * client gets back the exact id, code and detail.
 */
export function errorTrailers(error: MicroError): OutgoingHttpHeaders {
  return {
    "grpc-status": String(grpcStatusOf(error)),
    "grpc-message": encodeGrpcMessage(error.detail),
    "micro-error": asciiJson(error.toHeader()),
  };
}

/** The trailers of a call that succeeded. */
export const OK_TRAILERS: Readonly<OutgoingHttpHeaders> = Object.freeze({ "grpc-status": "0" });

/** JSON with every non-ASCII character escaped, so it is a valid header value. */
function asciiJson(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
