import type { Socket as NetSocket } from "node:net";
import { PREFACE } from "./frame";

const EMPTY = Buffer.alloc(0);

// No HTTP method starts with "MU": bytes that diverge from the preface after it are a broken
// preface (the frame reader names the fault), not HTTP.
const HTTP_PREFIX_BYTES = 2;

/**
 * Reads a new connection's first bytes until they show whether it starts with the preface:
 * `decide(true)` once the whole preface arrived, `decide(false)` when they differ within the
 * first two bytes (HTTP methods such as MKCOL, MOVE and M-SEARCH also start with "M").
 * Whatever was read is put back unread, and at most one preface's worth is held meanwhile.
 * Returns a function that stops waiting.
 */
export function sniffPreface(conn: NetSocket, decide: (framed: boolean) => void): () => void {
  let seen: Buffer = EMPTY;
  const stop = (): void => {
    conn.off("data", onData);
  };
  const done = (framed: boolean): void => {
    stop();
    conn.pause();
    conn.unshift(seen);
    seen = EMPTY;
    decide(framed);
    conn.resume();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, PREFACE.length - 1);
    // The version byte is left to the frame reader, which names an unsupported version.
    for (let i = 0; i < n; i++) if (seen[i] !== PREFACE[i]) return done(i >= HTTP_PREFIX_BYTES);
    if (seen.length >= PREFACE.length) done(true);
  };
  conn.on("data", onData);
  return stop;
}
