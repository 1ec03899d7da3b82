import { BufferReader, MapField, Type, util, type IConversionOptions, type Message } from "protobufjs";
import type { MessageSchema } from "../codec/schema";
import { formatMessage, JSON_CONVERSION } from "./json-format";
import { parseMessage } from "./json-parse";

/** What handlers receive and return: every field present, int64 as decimal strings, enums by name, bytes as Buffer. */
export const NATIVE_CONVERSION: IConversionOptions = { longs: String, enums: String, defaults: true, arrays: true, objects: true };

export { JSON_CONVERSION };

type Plain = Record<string, unknown>;

/** A {@link MessageSchema} backed by a protobufjs reflection `Type` (its generated encoder and decoder). */
export function messageSchema(type: Type): MessageSchema {
  const name = type.fullName.replace(/^\./, "");
  const fromPlain = (value: unknown): Message => type.fromObject(plainObject(value, name));
  return {
    name,
    encode: (value) => type.encode(fromPlain(value)).finish(),
    decode: (data) => fixLongKeys(type, type.toObject(type.decode(readerOf(data)), NATIVE_CONVERSION)),
    // Checked and converted by hand: fromObject would coerce bad values silently and knows no well-known JSON forms.
    fromJSON: (json) => type.toObject(type.fromObject(parseMessage(type, json, name)), NATIVE_CONVERSION),
    toJSON: (value) => formatMessage(type, type.toObject(fromPlain(value), JSON_CONVERSION)),
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

const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);
const UNSIGNED = new Set(["uint64", "fixed64"]);

/** Per message type: does any map with 64-bit keys sit in it or below it? Filled lazily. */
const needsFix = new WeakMap<Type, boolean>();

/**
 * protobufjs decodes the keys of `map<int64, …>` (and the other 64-bit key types) as 8-byte
 * hash strings; this turns them back into decimal strings, as the native form and proto3 JSON
 * write them. Types without such maps cost one cached lookup.
 */
function fixLongKeys(type: Type, value: Record<string, unknown>): Record<string, unknown> {
  if (!hasLongKeys(type)) return value;
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (v === null || v === undefined) continue;
    const sub = field.resolvedType instanceof Type ? field.resolvedType : undefined;
    if (field instanceof MapField) {
      const map = v as Record<string, unknown>;
      if (LONG_TYPES.has(field.keyType)) {
        const unsigned = UNSIGNED.has(field.keyType);
        for (const key of Object.keys(map)) {
          const decimal = util.LongBits.fromHash(key).toLong(unsigned).toString();
          if (decimal !== key) {
            map[decimal] = map[key];
            delete map[key];
          }
        }
      }
      if (sub) for (const entry of Object.values(map)) fixLongKeys(sub, entry as Record<string, unknown>);
    } else if (sub) {
      for (const item of field.repeated ? (v as unknown[]) : [v]) fixLongKeys(sub, item as Record<string, unknown>);
    }
  }
  return value;
}

/** Whether a map with 64-bit keys is reachable from `type` (through message fields, cycles included). */
function hasLongKeys(type: Type): boolean {
  const known = needsFix.get(type);
  if (known !== undefined) return known;
  const seen = new Set<Type>([type]);
  const queue = [type];
  let found = false;
  while (queue.length > 0 && !found) {
    for (const f of queue.pop()!.fieldsArray) {
      f.resolve();
      if (f instanceof MapField && LONG_TYPES.has(f.keyType)) found = true;
      const sub = f.resolvedType;
      if (sub instanceof Type && !seen.has(sub)) {
        seen.add(sub);
        queue.push(sub);
      }
    }
  }
  needsFix.set(type, found);
  return found;
}
