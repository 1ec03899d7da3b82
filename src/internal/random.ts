import { randomFillSync } from "node:crypto";

// Trace, span and message ids are made on every call and event; drawing them from a pooled
// buffer costs one crypto call per few hundred ids instead of one per id.
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** The offset of `bytes` fresh random bytes in `pool`. */
function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  const at = take(bytes);
  return pool.toString("hex", at, at + bytes);
}

// Ids are written into this buffer and read back as one flat string: built by concatenation
// they would be a rope that every later read (a header check, its UTF-8 length, the write into
// a frame) flattens again, ≈ 250 ns each for a UUID.
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
const text = Buffer.allocUnsafe(64);
const DASH = 0x2d;
const ZERO = 0x30;
const ONE = 0x31;

/** Writes the pool's `bytes` bytes at `from` as hex into `text` at `at`; returns the offset after them. */
function hexInto(at: number, from: number, bytes: number): number {
  for (let i = from; i < from + bytes; i++) {
    const b = pool[i]!;
    text[at++] = HEX_DIGITS[b >> 4]!;
    text[at++] = HEX_DIGITS[b & 15]!;
  }
  return at;
}

/**
 * A random (version 4) UUID, as `crypto.randomUUID()` makes, drawn from the pool: `randomUUID`
 * and its rope cost ≈ 10 % of a publisher's CPU per event.
 */
export function randomUuid(): string {
  const o = take(16);
  pool[o + 6] = (pool[o + 6]! & 0x0f) | 0x40; // version 4
  pool[o + 8] = (pool[o + 8]! & 0x3f) | 0x80; // RFC 9562 variant
  let at = hexInto(0, o, 4);
  text[at++] = DASH;
  at = hexInto(at, o + 4, 2);
  text[at++] = DASH;
  at = hexInto(at, o + 6, 2);
  text[at++] = DASH;
  at = hexInto(at, o + 8, 2);
  text[at++] = DASH;
  at = hexInto(at, o + 10, 6);
  return text.toString("latin1", 0, at);
}

/** A W3C `traceparent` starting a new sampled trace: `00-<16 random bytes>-<8 random bytes>-01`. */
export function randomTraceparent(): string {
  const o = take(24);
  text[0] = text[1] = ZERO;
  text[2] = DASH;
  let at = hexInto(3, o, 16);
  text[at++] = DASH;
  at = hexInto(at, o + 16, 8);
  text[at++] = DASH;
  text[at++] = ZERO;
  text[at++] = ONE;
  return text.toString("latin1", 0, at);
}
