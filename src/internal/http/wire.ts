import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { ErrorIds, MicroError, payloadTooLarge } from "../../errors";
import { canonicalHeader, Headers } from "../../transport/headers";

// Headers that frame the HTTP exchange rather than belong to the message; the transport sets
// its own, so message headers of these names are neither delivered nor sent.
const FRAMING = new Set(["Host", "Connection", "Keep-Alive", "Content-Length", "Transfer-Encoding", "Te", "Trailer", "Upgrade", "Proxy-Connection", "Expect"]);

// Peers send the same few header names over and over: remember their canonical form.
const canonicalNames = new Map<string, string>();
const CANONICAL_CACHE_LIMIT = 1024;

function canonical(name: string): string {
  let out = canonicalNames.get(name);
  if (out === undefined) {
    out = canonicalHeader(name);
    if (canonicalNames.size < CANONICAL_CACHE_LIMIT) canonicalNames.set(name, out);
  }
  return out;
}

/**
 * Copies raw HTTP headers into `header` with canonical names (the first of repeated headers
 * wins, as in go-micro) and returns the declared Content-Length, or -1 when there is none.
 */
export function readHeaders(raw: readonly string[], header: Record<string, string>): number {
  let contentLength = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = canonical(raw[i]!);
    if (FRAMING.has(name)) {
      if (name === "Content-Length") contentLength = Number(raw[i + 1]);
    } else if (header[name] === undefined) {
      header[name] = raw[i + 1]!;
    }
  }
  return contentLength;
}

/**
 * Turns message headers into node:http's flat `[name, value, …]` list, replacing framing headers
 * with the transport's own (`host`, when given, becomes the `Host` header). node:http validates
 * every name and value of the list as it writes the head, as it does for an object, but skips
 * the per-header bookkeeping of `setHeader` (lower-casing, a record per header, look-ups).
 */
export function headerList(header: Record<string, string>, bodyLength: number, close: boolean, host?: string): string[] {
  const out: string[] = host === undefined ? [] : ["Host", host];
  for (const name in header) if (!FRAMING.has(canonical(name))) out.push(name, header[name]!);
  out.push("Content-Length", String(bodyLength));
  if (close) out.push("Connection", "close");
  return out;
}

/** Answers a request the transport refuses itself: the status line and `Micro-Error` both carry `err`. */
export function writeError(res: ServerResponse, err: MicroError, id: string | undefined, close: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const json = err.toHeader();
  const out: OutgoingHttpHeaders = { [Headers.error]: json, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json) };
  if (id !== undefined) out[Headers.id] = id;
  if (close) out.Connection = "close";
  res.writeHead(err.code, out).end(json);
}

/** The 503 MicroError for a message that could not be delivered to `address`. */
export function connectionError(address: string, cause: unknown): MicroError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (cause instanceof Error ? cause.message : String(cause));
  return new MicroError(ErrorIds.connection, 503, `cannot reach ${address}: ${code}`, { cause });
}

const STATUS_IDS: Readonly<Record<number, string>> = {
  400: ErrorIds.badRequest,
  401: ErrorIds.unauthorized,
  403: ErrorIds.forbidden,
  404: ErrorIds.notFound,
  405: ErrorIds.methodNotAllowed,
  408: ErrorIds.timeout,
  409: ErrorIds.conflict,
  413: ErrorIds.tooLarge,
  415: ErrorIds.unsupportedMediaType,
  429: ErrorIds.tooManyRequests,
  502: ErrorIds.unavailable,
  503: ErrorIds.unavailable,
  504: ErrorIds.unavailable,
};

/** The MicroError for a non-200 answer from a peer that sent no `Micro-Error` (not a go-micro server). */
export function statusError(address: string, status: number, statusMessage: string, body: Buffer): MicroError {
  const id = STATUS_IDS[status] ?? (status >= 500 ? ErrorIds.internal : ErrorIds.badRequest);
  const text = body.length > 0 ? `: ${body.toString("utf8", 0, Math.min(body.length, 256))}` : "";
  return new MicroError(id, status, `${address} answered HTTP ${status} ${statusMessage}${text}`);
}

/** Bodies up to this size travel in the same write as their HTTP head. */
const INLINE_BODY_BYTES = 16 * 1024;

/**
 * Ends a request or response with `body`. A small body goes as a latin1 string (the same bytes):
 * node:http then writes head and body in one write instead of a writev of two buffers.
 */
export function endWith(out: { end(chunk: string | Buffer, encoding?: BufferEncoding): unknown }, body: Buffer): void {
  if (body.length <= INLINE_BODY_BYTES) out.end(body.toString("latin1"), "latin1");
  else out.end(body);
}

/** The 413 for a body of `size` bytes over `limit`. */
export function tooLarge(size: number, limit: number): MicroError {
  return payloadTooLarge(`body of ${size} bytes is over the limit of ${limit} bytes`);
}
