import { BufferReader, type IConversionOptions, type Message, type Type } from "protobufjs";
import type { MessageSchema } from "../codec/schema";

/** What handlers receive and return: every field present, int64 as decimal strings, enums by name, bytes as Buffer. */
export const NATIVE_CONVERSION: IConversionOptions = { longs: String, enums: String, defaults: true, arrays: true, objects: true };

/** proto3's JSON mapping: int64 as strings, enums by name, bytes as base64, non-finite floats as strings, defaults omitted. */
export const JSON_CONVERSION: IConversionOptions = { longs: String, enums: String, bytes: String, json: true };

type Plain = Record<string, unknown>;

/** A {@link MessageSchema} backed by a protobufjs reflection `Type` (its generated encoder and decoder). */
export function messageSchema(type: Type): MessageSchema {
  const name = type.fullName.replace(/^\./, "");
  const fromPlain = (value: unknown): Message => type.fromObject(plainObject(value, name));
  return {
    name,
    encode: (value) => type.encode(fromPlain(value)).finish(),
    decode: (data) => type.toObject(type.decode(readerOf(data)), NATIVE_CONVERSION),
    fromJSON: (json) => type.toObject(fromPlain(json), NATIVE_CONVERSION),
    toJSON: (value) => type.toObject(fromPlain(value), JSON_CONVERSION),
  };
}

function plainObject(value: unknown, name: string): Plain {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Plain;
  throw new TypeError(`${name}: object expected, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
}

/**
 * protobufjs's Buffer reader clamps a string whose length prefix runs past the end instead of
 * failing, so a truncated body would decode as a shorter string; this one refuses it.
 */
class StrictBufferReader extends BufferReader {
  override string(): string {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.len) throw new RangeError(`index out of range: ${this.pos} + ${length} > ${this.len}`);
    const text = (this.buf as Buffer).toString("utf8", this.pos, end);
    this.pos = end;
    return text;
  }
}

function readerOf(data: Uint8Array): BufferReader {
  return new StrictBufferReader(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
