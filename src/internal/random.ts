import { randomFillSync } from "node:crypto";

// Trace and span ids are made on every call; drawing them from a pooled buffer costs one
// crypto call per few hundred ids instead of one per id.
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return hex;
}
