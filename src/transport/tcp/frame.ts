import type { Message } from "../transport";
import { headerBlockBound, writeHeaderBlock } from "./header-block";

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

/** A GOAWAY frame: the sender is draining and takes no new requests on this connection. */
export const GOAWAY_FRAME: Readonly<Buffer> = Buffer.from([0, 0, 0, 1, FrameType.goaway]);

/** An upper bound of the bytes {@link writeMessageHead} writes for `header`. */
export function messageHeadBound(header: Record<string, string>): number {
  return MESSAGE_HEAD_BYTES + headerBlockBound(header);
}

/**
 * Writes a message frame's length, type and header block for a body of `bodyLength` bytes at
 * `offset` of `buf` and returns the offset where the body goes, or -1 when `buf` may be too
 * short (it always fits in {@link messageHeadBound} bytes). Throws a 400 MicroError for a header
 * the layout cannot carry.
 */
export function writeMessageHead(buf: Buffer, offset: number, header: Record<string, string>, bodyLength: number): number {
  if (offset + MESSAGE_HEAD_BYTES > buf.length) return -1;
  const end = writeHeaderBlock(buf, offset + MESSAGE_HEAD_BYTES, header);
  if (end < 0) return -1;
  const block = end - offset - MESSAGE_HEAD_BYTES;
  buf.writeUInt32BE(3 + block + bodyLength, offset);
  buf[offset + 4] = FrameType.message;
  buf[offset + 5] = block >>> 8;
  buf[offset + 6] = block & 0xff;
  return end;
}

/**
 * Writes a message frame's length, type and an already encoded header `block` at `offset` of
 * `buf` (which must have room) and returns where the body goes.
 */
export function writeMessageHeadBlock(buf: Buffer, offset: number, block: Buffer, bodyLength: number): number {
  buf.writeUInt32BE(3 + block.length + bodyLength, offset);
  buf[offset + 4] = FrameType.message;
  buf[offset + 5] = block.length >>> 8;
  buf[offset + 6] = block.length & 0xff;
  return offset + MESSAGE_HEAD_BYTES + block.copy(buf, offset + MESSAGE_HEAD_BYTES);
}

/** Encodes a message frame's head (all but the body) in a buffer of its own; throws like {@link writeMessageHead}. */
export function encodeMessageHead(header: Record<string, string>, bodyLength: number): Buffer {
  const buf = Buffer.allocUnsafe(messageHeadBound(header));
  return buf.subarray(0, writeMessageHead(buf, 0, header, bodyLength));
}

/** Encodes one message as a whole frame in a buffer of its own. */
export function encodeMessage(message: Message): Buffer {
  const { header, body } = message;
  const buf = Buffer.allocUnsafe(messageHeadBound(header) + body.length);
  const at = writeMessageHead(buf, 0, header, body.length);
  body.copy(buf, at);
  return buf.subarray(0, at + body.length);
}
