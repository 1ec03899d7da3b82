/** Request metadata: string headers that travel with a call (go-micro's `metadata.Metadata`). */
export type Metadata = Record<string, string>;

/** Header names that describe the protocol itself; they never travel as caller metadata. */
const PROTOCOL_HEADERS = new Set([
  "Micro-Service",
  "Micro-Endpoint",
  "Micro-Method",
  "Micro-Id",
  "Micro-Error",
  "Micro-Stream",
  "Micro-Stream-Open",
  "Micro-Topic",
  "Micro-From-Service",
  "Traceparent",
  "Content-Type",
  "Content-Length",
  "Timeout",
  "Host",
  "Connection",
  "Accept-Encoding",
  "User-Agent",
  "Transfer-Encoding",
]);

/** The caller metadata in a message's headers (everything but protocol headers). */
export function metadataFromHeaders(header: Record<string, string>): Metadata {
  const md: Metadata = {};
  for (const key in header) if (!PROTOCOL_HEADERS.has(key)) md[key] = header[key]!;
  return md;
}
