import { badRequest } from "../../errors";
import { canonicalHeader, Headers } from "../headers";
import { FrameError } from "./errors";

// A header block is a run of entries: a name (a one-byte index into WELL_KNOWN_HEADERS, or 0,
// a u8 length and that many UTF-8 bytes) and a value (a u16 BE length and that many UTF-8 bytes).

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

/** Largest header block a message may carry, in bytes (its length is a u16). */
export const MAX_HEADER_BLOCK_BYTES = 0xffff;

const INDEX = new Map<string, number>(WELL_KNOWN_HEADERS.map((name, i) => [name, i + 1]));

// Values of these change with every message: remembering the last one would never pay.
const UNCACHED = [Headers.id, Headers.timeout, Headers.traceparent].reduce((mask, name) => mask | (1 << INDEX.get(name)!), 0);

// Except a long `Micro-Id`: every message of a stream repeats its id (a UUID), and comparing
// it with the last one is cheaper than decoding it again; numeric call ids stay uncached.
const ID_INDEX = INDEX.get(Headers.id)!;
const NUMERIC_MAX = 15;

// Short ASCII strings are copied byte by byte: cheaper than a call into the UTF-8 encoder.
const SHORT = 64;

function writeString(buf: Buffer, s: string, at: number): number {
  const n = s.length;
  if (n <= SHORT) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    if (i === n) return n;
  }
  return buf.write(s, at);
}

/** An upper bound of the bytes {@link writeHeaderBlock} writes for `header`. */
export function headerBlockBound(header: Record<string, string>): number {
  let n = 0;
  for (const name in header) {
    const value = header[name];
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    n += 4 + 3 * name.length + (typeof value === "string" ? 3 * value.length : 0);
  }
  return n;
}

/**
 * Writes the header block of `header` at `at` and returns where it ends, or -1 when `buf` may
 * be too short (the caller makes room for {@link headerBlockBound} bytes and writes again).
 * Throws a 400 MicroError for a header the layout cannot carry.
 */
export function writeHeaderBlock(buf: Buffer, at: number, header: Record<string, string>): number {
  const start = at;
  const limit = buf.length;
  for (const name in header) {
    const value = header[name];
    if (typeof value !== "string") throw badRequest(`header ${name} is not a string`);
    if (at + 4 + 3 * (name.length + value.length) > limit) return -1;
    const index = INDEX.get(name);
    if (index !== undefined) {
      buf[at++] = index;
    } else {
      const n = name.length === 0 ? 0 : writeString(buf, name, at + 2);
      if (n === 0 || n > 0xff) throw badRequest(`header name "${name.slice(0, 64)}" must be 1 to 255 bytes`);
      buf[at] = 0;
      buf[at + 1] = n;
      at += 2 + n;
    }
    const v = writeString(buf, value, at + 2);
    if (v > 0xffff) throw badRequest(`header ${name} is over 65535 bytes`);
    buf[at] = v >>> 8;
    buf[at + 1] = v & 0xff;
    at += 2 + v;
  }
  if (at - start > MAX_HEADER_BLOCK_BYTES) throw badRequest(`headers take ${at - start} bytes, over the limit of ${MAX_HEADER_BLOCK_BYTES}`);
  return at;
}

/**
 * Sets a well-known header. One store site per name keeps each store monomorphic, about three
 * times faster than `header[name] = value` with names varying at one site.
 */
function setKnown(header: Record<string, string>, index: number, value: string): void {
  switch (index) {
    case 1: header[Headers.id] = value; break;
    case 2: header[Headers.service] = value; break;
    case 3: header[Headers.endpoint] = value; break;
    case 4: header[Headers.contentType] = value; break;
    case 5: header[Headers.timeout] = value; break;
    case 6: header[Headers.error] = value; break;
    case 7: header[Headers.stream] = value; break;
    case 8: header[Headers.topic] = value; break;
    case 9: header[Headers.fromService] = value; break;
    case 10: header[Headers.traceparent] = value; break;
    case 11: header[Headers.authorization] = value; break;
    default: header[Headers.method] = value;
  }
}

/** True when `buf[at, at + s.length)` holds exactly the ASCII string `s`. */
function sameAscii(buf: Buffer, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (buf[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Decodes a UTF-8 value. Decimal numbers (ids, timeouts) are parsed arithmetically, which is
 * several times cheaper than a call into the UTF-8 decoder for such short strings.
 */
function decodeValue(buf: Buffer, at: number, length: number): string {
  if (length === 0) return "";
  if (length <= NUMERIC_MAX && (buf[at] !== 0x30 || length === 1)) {
    let n = 0;
    let i = 0;
    for (; i < length; i++) {
      const d = buf[at + i]! - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === length) return String(n);
  }
  return buf.toString("utf8", at, at + length);
}

const NAME_CACHE_SIZE = 16;

/**
 * Decodes header blocks for one connection. Literal names are canonicalised as Go does
 * (`micro-id` → `Micro-Id`) and the first of repeated names wins, as on the HTTP transport.
 * Peers repeat names and many values from message to message, so it keeps the last short
 * ASCII value of each well-known header and recent literal names, and reuses the strings
 * instead of decoding them again.
 */
export class HeaderDecoder {
  private readonly values: Array<string | undefined> = [];
  private readonly rawNames: string[] = [];
  private readonly names: string[] = [];
  private nextName = 0;

  /** Decodes the header block in `buf[start, end)`; throws a FrameError when it breaks the layout. */
  decode(buf: Buffer, start: number, end: number): Record<string, string> {
    const header: Record<string, string> = {};
    let seen = 0; // well-known indices already set: the first of repeated names wins
    let literals = false;
    let p = start;
    while (p < end) {
      const index = buf[p++]!;
      let name: string;
      if (index === 0) {
        const n = p < end ? buf[p++]! : 0;
        if (n === 0 || p + n > end) throw new FrameError("header block: bad literal name length");
        name = this.literal(buf, p, n);
        p += n;
      } else {
        const known = WELL_KNOWN_HEADERS[index - 1];
        if (known === undefined) throw new FrameError(`header block: unknown header index ${index}`);
        name = known;
      }
      if (p + 2 > end) throw new FrameError("header block: truncated value length");
      const v = (buf[p]! << 8) | buf[p + 1]!;
      p += 2;
      if (p + v > end) throw new FrameError("header block: value runs past the block");
      if (index === 0) {
        literals = true;
        if (header[name] === undefined) header[name] = decodeValue(buf, p, v);
      } else if ((seen & (1 << index)) === 0) {
        seen |= 1 << index;
        // Only a literal spelling of the same name can have set it already.
        if (!literals || header[name] === undefined) setKnown(header, index, this.known(index, buf, p, v));
      }
      p += v;
    }
    return header;
  }

  private known(index: number, buf: Buffer, at: number, length: number): string {
    if (length === 0) return "";
    if ((UNCACHED & (1 << index)) !== 0 && (index !== ID_INDEX || length <= NUMERIC_MAX)) return decodeValue(buf, at, length);
    const last = this.values[index];
    if (last !== undefined && last.length === length && sameAscii(buf, at, last)) return last;
    const value = buf.toString("utf8", at, at + length);
    if (length <= SHORT && value.length === length) this.values[index] = value;
    return value;
  }

  private literal(buf: Buffer, at: number, length: number): string {
    const raw = this.rawNames;
    for (let i = 0; i < raw.length; i++) {
      const s = raw[i]!;
      if (s.length === length && sameAscii(buf, at, s)) return this.names[i]!;
    }
    const name = buf.toString("utf8", at, at + length);
    const canonical = canonicalHeader(name);
    if (name.length === length) {
      // A ring of recent names: a peer sending many different names cannot grow it.
      raw[this.nextName] = name;
      this.names[this.nextName] = canonical;
      this.nextName = (this.nextName + 1) % NAME_CACHE_SIZE;
    }
    return canonical;
  }
}
