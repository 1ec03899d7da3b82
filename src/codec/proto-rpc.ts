import { Reader, Writer } from "protobufjs";
import type { Codec, Frame } from "./codec";
import { asBuffer, schemaOf } from "./protobuf";

/** The envelope go-micro's proto-rpc codec puts before each request and response body. */
export interface ProtoRpcEnvelope {
  /** `Greeter.Hello` (field 1). */
  serviceMethod: string;
  /** The sequence number as a decimal string (field 2, fixed64). */
  seq: string;
  /** The error text of a response (field 3); empty when none. */
  error: string;
}

const LENGTH_BYTES = 4;

/**
 * go-micro's `application/proto-rpc`: a request or response is two big-endian uint32
 * length-prefixed blocks, an envelope (`service_method`, `seq`, and `error` on responses)
 * then the protobuf body; an event is the bare protobuf body. tsmicro carries the endpoint and
 * id in headers, so the envelope repeats them for go-micro peers; a numeric `Micro-Id` becomes
 * the sequence number, any other id sends 0.
 */
export class ProtoRpcCodec implements Codec {
  readonly name = "proto-rpc";
  readonly contentTypes = ["application/proto-rpc"] as const;

  marshal(value: unknown, frame: Frame): Buffer {
    if (frame.type === "event") return encodeBody(value, frame);
    const isError = frame.type === "error";
    const envelope = encodeEnvelope({ serviceMethod: frame.endpoint, seq: seqOf(frame.id), error: isError ? errorText(value) : "" });
    const body = isError ? Buffer.alloc(0) : encodeBody(value, frame);
    return Buffer.concat([lengthOf(envelope), envelope, lengthOf(body), body]);
  }

  unmarshal(data: Buffer, frame: Frame): unknown {
    if (frame.type === "event") return schemaOf(frame).decode(data);
    const { envelope, body } = splitProtoRpc(data);
    if (envelope.error) throw new Error(envelope.error);
    return schemaOf(frame).decode(body);
  }
}

/** Splits a proto-rpc request or response into its envelope and body; throws on truncated or trailing bytes. */
export function splitProtoRpc(data: Buffer): { envelope: ProtoRpcEnvelope; body: Buffer } {
  const [head, rest] = netString(data, "envelope");
  const [body, tail] = netString(rest, "body");
  if (tail.length > 0) throw new Error(`${tail.length} bytes after the proto-rpc body`);
  return { envelope: decodeEnvelope(head), body };
}

/** Encodes the envelope message (`service_method = 1`, `seq = 2` fixed64, `error = 3`). */
export function encodeEnvelope(e: ProtoRpcEnvelope): Buffer {
  const w = Writer.create();
  w.uint32((1 << 3) | 2).string(e.serviceMethod);
  w.uint32((2 << 3) | 1).fixed64(e.seq);
  if (e.error) w.uint32((3 << 3) | 2).string(e.error);
  return asBuffer(w.finish());
}

/** Decodes the envelope message, skipping unknown fields. */
export function decodeEnvelope(data: Uint8Array): ProtoRpcEnvelope {
  const r = Reader.create(data);
  const out: ProtoRpcEnvelope = { serviceMethod: "", seq: "0", error: "" };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) out.serviceMethod = r.string();
    else if (field === 2 && (tag & 7) === 1) out.seq = r.fixed64().toString();
    else if (field === 3 && (tag & 7) === 2) out.error = r.string();
    else r.skipType(tag & 7);
  }
  return out;
}

function encodeBody(value: unknown, frame: Frame): Buffer {
  if (value instanceof Uint8Array) return asBuffer(value);
  return asBuffer(schemaOf(frame).encode(value ?? {}));
}

function netString(data: Buffer, what: string): [Buffer, Buffer] {
  if (data.length < LENGTH_BYTES) throw new Error(`proto-rpc ${what} length is missing`);
  const size = data.readUInt32BE(0);
  const end = LENGTH_BYTES + size;
  if (end > data.length) throw new Error(`proto-rpc ${what} says ${size} bytes but ${data.length - LENGTH_BYTES} follow`);
  return [data.subarray(LENGTH_BYTES, end), data.subarray(end)];
}

function lengthOf(block: Buffer): Buffer {
  const b = Buffer.allocUnsafe(LENGTH_BYTES);
  b.writeUInt32BE(block.length, 0);
  return b;
}

const MAX_SEQ = (1n << 64n) - 1n;

function seqOf(id: string): string {
  return /^\d{1,20}$/.test(id) && BigInt(id) <= MAX_SEQ ? id : "0";
}

function errorText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? "");
}
