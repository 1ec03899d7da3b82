import type { Socket } from "node:net";

// Length-prefixed JSON frames for the raw node:net row:
//   u32 BE payload length | u32 BE request id | u8 op | payload (UTF-8 JSON)
// Many requests share one socket; the id pairs a reply with its request.

/** Bytes before the payload. */
export const HEADER_BYTES = 9;
/** Larger frames are treated as a protocol error. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/**
 * Queues frames and writes everything queued in one event-loop turn as a single buffer
 * (one syscall for many replies), flushing on the next tick.
 */
export class FrameWriter {
  private ids: number[] = [];
  private ops: number[] = [];
  private payloads: string[] = [];
  private lengths: number[] = [];
  private total = 0;
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  write(id: number, op: number, json: string): void {
    const bytes = Buffer.byteLength(json);
    this.ids.push(id);
    this.ops.push(op);
    this.payloads.push(json);
    this.lengths.push(bytes);
    this.total += HEADER_BYTES + bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const out = Buffer.allocUnsafe(this.total);
    let off = 0;
    for (let i = 0; i < this.ids.length; i++) {
      const bytes = this.lengths[i]!;
      out.writeUInt32BE(bytes, off);
      out.writeUInt32BE(this.ids[i]!, off + 4);
      out[off + 8] = this.ops[i]!;
      out.write(this.payloads[i]!, off + HEADER_BYTES, bytes, "utf8");
      off += HEADER_BYTES + bytes;
    }
    this.ids = [];
    this.ops = [];
    this.payloads = [];
    this.lengths = [];
    this.total = 0;
    if (!this.socket.destroyed) this.socket.write(out);
  };
}

/** Called for each complete frame; the payload is `buf[start, end)`, valid only during the call. */
export type FrameHandler = (id: number, op: number, buf: Buffer, start: number, end: number) => void;

/**
 * Incremental parser: frames complete within a chunk are handled in place, without copying. A
 * frame split across chunks is gathered from just the bytes it needs and joined once.
 */
export class FrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the frame being gathered, once its header is in; else HEADER_BYTES. */
  private needed = HEADER_BYTES;

  constructor(private readonly onFrame: FrameHandler) {}

  /** Feeds a chunk; throws on a frame larger than MAX_PAYLOAD_BYTES. */
  push(chunk: Buffer): void {
    let off = 0;
    if (this.buffered > 0) {
      off = this.gather(chunk);
      if (off < 0) return;
    }
    while (chunk.length - off >= HEADER_BYTES) {
      const end = off + HEADER_BYTES + payloadLength(chunk, off);
      if (end > chunk.length) break;
      this.onFrame(chunk.readUInt32BE(off + 4), chunk[off + 8]!, chunk, off + HEADER_BYTES, end);
      off = end;
    }
    if (off < chunk.length) this.keep(chunk.subarray(off));
  }

  /** Continues the split frame with the start of `chunk`; the offset after it, or -1 when `chunk` did not complete it. */
  private gather(chunk: Buffer): number {
    let off = 0;
    if (this.needed === HEADER_BYTES) {
      off = Math.min(HEADER_BYTES - this.buffered, chunk.length);
      this.keep(chunk.subarray(0, off));
      if (this.buffered < HEADER_BYTES) return -1;
    }
    const missing = this.needed - this.buffered;
    if (chunk.length - off < missing) {
      this.keep(chunk.subarray(off));
      return -1;
    }
    this.keep(chunk.subarray(off, off + missing));
    const frame = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    this.needed = HEADER_BYTES;
    this.onFrame(frame.readUInt32BE(4), frame[8]!, frame, HEADER_BYTES, frame.length);
    return off + missing;
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.chunks.push(part);
    this.buffered += part.length;
    if (this.needed === HEADER_BYTES && this.buffered >= HEADER_BYTES) {
      const head = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [head];
      this.needed = HEADER_BYTES + payloadLength(head, 0);
    }
  }
}

function payloadLength(buf: Buffer, off: number): number {
  const len = buf.readUInt32BE(off);
  if (len > MAX_PAYLOAD_BYTES) throw new Error(`frame of ${len} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  return len;
}
