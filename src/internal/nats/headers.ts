import { headers as natsHeaders, type Match, type Msg, type MsgHdrs } from "nats";

const HEADER_LINE = "NATS/1.0\r\n";
const lineBreaks = /[\r\n]+/g;

/**
 * NATS headers already encoded for the wire. nats.js only calls `encode()` on a publish, and
 * its own `MsgHdrs` pays a key canonicalisation, a value regex and a Map entry per header,
 * then joins them into a string anyway: a third of the publish path in the pub/sub profile.
 * Any other use (JetStream adds `Nats-Msg-Id` through `set`) turns it into nats.js's own
 * headers first, so it behaves exactly like them.
 */
class WireHeaders implements MsgHdrs {
  private full?: MsgHdrs;

  constructor(
    private readonly text: string,
    private readonly header: Readonly<Record<string, string>>,
    private readonly implied: Readonly<Record<string, string>> | undefined,
  ) {}

  /** The header block nats.js writes after `HPUB` (called by nats.js, not part of `MsgHdrs`). */
  encode(): Uint8Array {
    if (this.full) return (this.full as MsgHdrs & { encode(): Uint8Array }).encode();
    return Buffer.from(this.text, "utf8");
  }

  private get h(): MsgHdrs {
    return (this.full ??= slowHeaders(this.header, this.implied));
  }

  get hasError(): boolean {
    return this.h.hasError;
  }
  get status(): string {
    return this.h.status;
  }
  get code(): number {
    return this.h.code;
  }
  get description(): string {
    return this.h.description;
  }
  get(k: string, match?: Match): string {
    return this.h.get(k, match);
  }
  set(k: string, v: string, match?: Match): void {
    this.h.set(k, v, match);
  }
  append(k: string, v: string, match?: Match): void {
    this.h.append(k, v, match);
  }
  has(k: string, match?: Match): boolean {
    return this.h.has(k, match);
  }
  keys(): string[] {
    return this.h.keys();
  }
  values(k: string, match?: Match): string[] {
    return this.h.values(k, match);
  }
  delete(k: string, match?: Match): void {
    this.h.delete(k, match);
  }
  last(k: string, match?: Match): string {
    return this.h.last(k, match);
  }
  [Symbol.iterator](): Iterator<[string, string[]]> {
    return this.h[Symbol.iterator]();
  }
}

function slowHeaders(header: Readonly<Record<string, string>>, implied: Readonly<Record<string, string>> | undefined): MsgHdrs {
  const h = natsHeaders();
  for (const k in header) if (implied === undefined || implied[k] !== header[k]) h.set(k, oneLine(header[k]!));
  return h;
}

function oneLine(v: string): string {
  return v.includes("\r") || v.includes("\n") ? v.replace(lineBreaks, " ") : v;
}

/** A key nats.js accepts: printable ASCII without `:`. */
function validKey(k: string): boolean {
  if (k.length === 0) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c === 58 || c < 33 || c > 126) return false;
  }
  return true;
}

/**
 * The header block nats.js would write for `header` (`NATS/1.0\r\n…\r\n\r\n`; "" when empty),
 * or undefined when a key is one nats.js refuses. A value's line breaks become spaces and its
 * ends are trimmed, as nats.js does. A header whose value equals its entry in `implied` is left
 * out: the receiver knows it without it.
 */
export function headerBlock(header: Readonly<Record<string, string>>, implied?: Readonly<Record<string, string>>): string | undefined {
  let text = HEADER_LINE;
  let any = false;
  for (const k in header) {
    const v = header[k]!;
    if (implied !== undefined && implied[k] === v) continue;
    if (!validKey(k)) return undefined;
    text += k + ": " + oneLine(v).trim() + "\r\n";
    any = true;
  }
  // nats.js writes no header block at all for empty headers.
  return any ? text + "\r\n" : "";
}

/**
 * Copies message headers into NATS headers, the bytes `headerBlock` gives; a key nats.js
 * refuses makes it throw its own error, as before.
 */
export function toNatsHeaders(header: Readonly<Record<string, string>>, implied?: Readonly<Record<string, string>>): MsgHdrs {
  const text = headerBlock(header, implied);
  return text === undefined ? slowHeaders(header, implied) : new WireHeaders(text, header, implied);
}

/**
 * Reads NATS headers back into a plain record (the first value of each key). NATS's own
 * `Nats-*` headers stay behind: a republished copy carrying `Nats-Msg-Id` would be dropped as a duplicate.
 */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === undefined) return out;
  for (const [k, values] of h) if (values.length > 0 && !isNatsKey(k)) out[k] = values[0]!;
  return out;
}

/** The parts of nats.js's message class that hold the raw header block (not public API). */
interface RawMsg {
  readonly _rdata?: unknown;
  readonly _msg?: { readonly hdr?: unknown };
}

/**
 * The headers of a received message as a record, like `fromNatsHeaders(msg.headers)` but read
 * straight from the raw header block, skipping nats.js's per-key Map and validation (a tenth of
 * a subscriber's CPU). Falls back to `msg.headers` when the message is not nats.js's own class.
 */
export function msgHeaders(msg: Msg): Record<string, string> {
  return msgParts(msg).header;
}

/**
 * A received message's headers (as `msgHeaders` reads them) and body, from one view of nats.js's
 * raw bytes: a view less per message than reading `msg.data` besides.
 */
export function msgParts(msg: Msg): { header: Record<string, string>; body: Buffer } {
  const raw = msg as unknown as RawMsg;
  const data = raw._rdata;
  const hdr = raw._msg?.hdr;
  if (!(data instanceof Uint8Array) || typeof hdr !== "number") {
    const d = msg.data;
    return { header: fromNatsHeaders(msg.headers), body: Buffer.from(d.buffer, d.byteOffset, d.byteLength) };
  }
  const all = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (hdr <= 0) return { header: {}, body: all };
  const end = Math.min(hdr, all.length);
  return { header: parseHeaderBlock(all.toString("utf8", 0, end)), body: all.subarray(end) };
}

/** Parses `NATS/1.0[ status]\r\nKey: value\r\n…\r\n\r\n` as nats.js does: first value per key, values trimmed. */
export function parseHeaderBlock(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let start = text.indexOf("\r\n");
  if (start < 0) return out;
  start += 2;
  while (start < text.length) {
    let end = text.indexOf("\r\n", start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(":", start);
    if (colon > start && colon < end) {
      const k = text.slice(start, colon);
      if (!Object.hasOwn(out, k) && !isNatsKey(k)) out[k] = valueAt(text, colon + 1, end);
    }
    start = end + 2;
  }
  return out;
}

/** `text[from, end)` trimmed; the usual `Key: value` line costs one slice, not a slice and a trimmed copy. */
function valueAt(text: string, from: number, end: number): string {
  if (text.charCodeAt(from) === 32 && from + 1 < end && printable(text.charCodeAt(from + 1)) && printable(text.charCodeAt(end - 1))) return text.slice(from + 1, end);
  return text.slice(from, end).trim();
}

/** Visible ASCII: a character `trim` would keep. */
function printable(c: number): boolean {
  return c > 32 && c < 127;
}

function isNatsKey(k: string): boolean {
  return k.length >= 5 && k.charCodeAt(4) === 45 && k.slice(0, 4).toLowerCase() === "nats";
}
