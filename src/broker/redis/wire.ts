import type { BrokerMessage } from "../broker";

/**
 * One message as stored in a stream entry (field `m`) and sent on a channel: a 4-byte
 * big-endian length, the headers as JSON, then the body's raw bytes (no base64).
 */
export function encodeMessage(message: BrokerMessage): Buffer {
  const header = Buffer.from(JSON.stringify(message.header));
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(header.length, 0);
  return Buffer.concat([prefix, header, message.body]);
}

/** Decodes {@link encodeMessage}'s bytes; returns a reason string when they are not such a message. */
export function decodeMessage(data: Buffer): BrokerMessage | string {
  if (data.length < 4) return "shorter than its length prefix";
  const length = data.readUInt32BE(0);
  if (4 + length > data.length) return "header length beyond the message";
  let header: unknown;
  try {
    header = JSON.parse(data.subarray(4, 4 + length).toString("utf8"));
  } catch {
    return "header is not JSON";
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return "header is not an object";
  for (const v of Object.values(header)) if (typeof v !== "string") return "header values must be strings";
  return { header: header as Record<string, string>, body: Buffer.from(data.subarray(4 + length)) };
}

/** The field holding the encoded message in a stream entry. */
export const MESSAGE_FIELD = "m";
/** The field holding the publish key, when one was given. */
export const KEY_FIELD = "k";

/** One stream entry as Redis returns it: id and flat field/value list. */
export interface StreamEntry {
  readonly id: string;
  readonly message: BrokerMessage | string;
}

/** Parses the entries of an `XREADGROUP`/`XCLAIM`/`XAUTOCLAIM` reply (Buffers); deleted entries (nil) are skipped. */
export function parseEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || item.length < 2 || !Array.isArray(item[1])) continue;
    const fields = item[1] as Buffer[];
    let message: BrokerMessage | string = "no message field";
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (String(fields[i]) === MESSAGE_FIELD) message = decodeMessage(fields[i + 1]!);
    }
    out.push({ id: String(item[0]), message });
  }
  return out;
}
