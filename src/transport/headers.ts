/** Header names of the wire protocol, in the canonical form go-micro sends. */
export const Headers = {
  service: "Micro-Service",
  endpoint: "Micro-Endpoint",
  method: "Micro-Method",
  id: "Micro-Id",
  contentType: "Content-Type",
  timeout: "Timeout",
  error: "Micro-Error",
  stream: "Micro-Stream",
  topic: "Micro-Topic",
  fromService: "Micro-From-Service",
  traceparent: "Traceparent",
  authorization: "Authorization",
  /** Client → server: abort the request or stream named by `Micro-Id` (value `1`, empty body). */
  cancel: "Micro-Cancel",
  /** Flow control: the sender consumed this many more messages of the stream (empty body). */
  ack: "Micro-Ack",
  /**
   * On a stream's opening message: it opens the stream and carries no data (empty body), so the
   * handler starts before the client's first message (the grpc transport opens every stream so).
   */
  streamOpen: "Micro-Stream-Open",
} as const;

/** The `Micro-Error` value that marks the end of a stream. */
export const END_OF_STREAM = "EOS";

/**
 * The `Micro-Cancel` value a client sends when the call's own deadline passed (any other value,
 * usually `1`, means the caller cancelled): the server reports it to the handler as the 408 its
 * own deadline would have given, never as a 499.
 */
export const CANCEL_TIMEOUT = "timeout";

/**
 * Canonicalises a header name the way Go's net/http does (`micro-id` → `Micro-Id`), so
 * messages look the same whichever transport carried them.
 */
export function canonicalHeader(name: string): string {
  let out = "";
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === "-";
  }
  return out;
}
