/**
 * gRPC's Length-Prefixed-Message framing: a compressed flag byte, a 4-byte big-endian length,
 * then the message. One HTTP/2 stream carries any number of them back to back.
 */

/** The prefix in front of every message. */
export const PREFIX_BYTES = 5;

/** Frames `body` as one uncompressed gRPC message. */
export function frameMessage(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + body.length);
  out[0] = 0;
  out.writeUInt32BE(body.length, 1);
  body.copy(out, PREFIX_BYTES);
  return out;
}

/** Why a stream's bytes are not acceptable gRPC messages. */
export type FrameProblem = "compressed" | "too-large";

/**
 * Reassembles messages from a stream's DATA chunks, split anywhere. A message announced larger
 * than `maxBytes` is refused before its bytes are buffered; a compressed message is refused too
 * (this transport offers only the identity encoding, so a peer may not send one).
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private problem?: FrameProblem;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; returns the messages it completed, or the problem that ends the stream. */
  push(chunk: Buffer): Buffer[] | FrameProblem {
    if (this.problem) return this.problem;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= PREFIX_BYTES) {
      const head = this.peek(PREFIX_BYTES);
      if (head[0] !== 0) return (this.problem = "compressed");
      const length = head.readUInt32BE(1);
      if (length > this.maxBytes) return (this.problem = "too-large");
      if (this.buffered < PREFIX_BYTES + length) break;
      const all = this.take(PREFIX_BYTES + length);
      out.push(all.subarray(PREFIX_BYTES));
    }
    return out;
  }

  /** True when a message is partly received (the stream ended in the middle of one). */
  get partial(): boolean {
    return this.buffered > 0;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const first = this.peek(n);
    this.buffered -= n;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    this.chunks[0] = first.subarray(n);
    return first.subarray(0, n);
  }
}
