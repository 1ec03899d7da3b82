import { badRequest } from "../../errors";
import { canonicalHeader, Headers } from "../headers";
import type { Message } from "../transport";

// The frame layout, byte by byte, is in docs/protocol.md ("TCP transport frame layout").

/** The protocol version a client announces in its preface. */
export const PROTOCOL_VERSION = 1;

/** The bytes a client sends first on every connection: `MUCP` and the version. */
export const PREFACE: Readonly<Buffer> = Buffer.from([0x4d, 0x55, 0x43, 0x50, PROTOCOL_VERSION]);

/** Frame types (the byte after the length); receivers skip frames of any other type. */
export const FrameType = { message: 0x00, goaway: 0x01 } as const;

/** Bytes before a frame's payload: the u32 length and the type byte. */
export const FRAME_HEAD_BYTES = 5;

/** Bytes before a message's header block: frame head plus the u16 header block length. */
export const MESSAGE_HEAD_BYTES = 7;

/** Largest header block a message may carry, in bytes (its length is a u16). */
export const MAX_HEADER_BLOCK_BYTES = 0xffff;

/**
 * Header names sent as a one-byte index instead of a literal; index `i + 1` is `WELL_KNOWN_HEADERS[i]`.
 * Version 1 of the protocol fixes this table: new names are only ever appended with a new version.
 */
export const WELL_KNOWN_HEADERS: readonly string[] = [
  Headers.id,
  Headers.service,
  Headers.endpoint,
  Headers.contentType,
  Headers.timeout,
  Headers.error,
  Headers.stream,
  Headers.topic,
  Headers.fromService,
  Headers.traceparent,
  Headers.authorization,
  Headers.method,
];

const INDEX = new Map<string, number>(WELL_KNOWN_HEADERS.map((name, i) => [name, i + 1]));

/** A GOAWAY frame: the sender is draining and takes no new requests on this connection. */
export const GOAWAY_FRAME: Readonly<Buffer> = Buffer.from([0, 0, 0, 1, FrameType.goaway]);

/** Thrown for bytes that break the frame layout; the connection that sent them is closed. */
export class FrameError extends Error {
  override readonly name = "FrameError";
}

/** An upper bound of the bytes {@link writeMessageHead} writes for `header`. */
export function messageHeadBound(header: Record<string, string>): number {
  let n = MESSAGE_HEAD_BYTES;
  for (const name in header) {
    const value = header[name];
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    n += 4 + 3 * name.length + (typeof value === "string" ? 3 * value.length : 0);
  }
  return n;
}

/**
 * Writes a message frame's length, type and header block for a body of `bodyLength` bytes at
 * `offset` of `buf` (which must hold {@link messageHeadBound} bytes there) and returns the
 * offset where the body goes. Throws a 400 MicroError for a header the layout cannot carry.
 */
export function writeMessageHead(buf: Buffer, offset: number, header: Record<string, string>, bodyLength: number): number {
  let p = offset + MESSAGE_HEAD_BYTES;
  for (const name in header) {
    const value = header[name];
    if (typeof value !== "string") throw badRequest(`header ${name} is not a string`);
    const index = INDEX.get(name);
    if (index !== undefined) {
      buf[p++] = index;
    } else {
      const n = name.length === 0 ? 0 : buf.write(name, p + 2);
      if (n === 0 || n > 0xff) throw badRequest(`header name "${name.slice(0, 64)}" must be 1 to 255 bytes`);
      buf[p] = 0;
      buf[p + 1] = n;
      p += 2 + n;
    }
    const v = value.length === 0 ? 0 : buf.write(value, p + 2);
    if (v > 0xffff) throw badRequest(`header ${name} is over 65535 bytes`);
    buf.writeUInt16BE(v, p);
    p += 2 + v;
  }
  const block = p - offset - MESSAGE_HEAD_BYTES;
  if (block > MAX_HEADER_BLOCK_BYTES) throw badRequest(`headers take ${block} bytes, over the limit of ${MAX_HEADER_BLOCK_BYTES}`);
  buf.writeUInt32BE(3 + block + bodyLength, offset);
  buf[offset + 4] = FrameType.message;
  buf.writeUInt16BE(block, offset + 5);
  return p;
}

/** Encodes one message as a whole frame in a buffer of its own. */
export function encodeMessage(message: Message): Buffer {
  const { header, body } = message;
  const buf = Buffer.allocUnsafe(messageHeadBound(header) + body.length);
  const at = writeMessageHead(buf, 0, header, body.length);
  body.copy(buf, at);
  return buf.subarray(0, at + body.length);
}

// Peers send the same few literal names over and over: remember their canonical form.
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
 * Decodes the header block in `buf[start, end)`. Literal names are canonicalised as Go does
 * (`micro-id` → `Micro-Id`) and the first of repeated names wins, as on the HTTP transport.
 */
export function decodeHeaderBlock(buf: Buffer, start: number, end: number): Record<string, string> {
  const header: Record<string, string> = {};
  let p = start;
  while (p < end) {
    const index = buf[p++]!;
    let name: string | undefined;
    if (index === 0) {
      const n = p < end ? buf[p++]! : 0;
      if (n === 0 || p + n > end) throw new FrameError("header block: bad literal name length");
      name = canonical(buf.toString("utf8", p, p + n));
      p += n;
    } else {
      name = WELL_KNOWN_HEADERS[index - 1];
      if (name === undefined) throw new FrameError(`header block: unknown header index ${index}`);
    }
    if (p + 2 > end) throw new FrameError("header block: truncated value length");
    const v = buf.readUInt16BE(p);
    p += 2;
    if (p + v > end) throw new FrameError("header block: value runs past the block");
    if (header[name] === undefined) header[name] = v === 0 ? "" : buf.toString("utf8", p, p + v);
    p += v;
  }
  return header;
}
