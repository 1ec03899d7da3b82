import type { MsgHdrs } from "nats";
import { headerBlock, toNatsHeaders } from "../../internal/nats/headers";
import { Headers } from "../../transport/headers";

/**
 * The content type a NATS event carries when its headers name none: the framework's default
 * codec. Publishers leave `Content-Type` out when it is this, and receivers put it back.
 */
export const WIRE_CONTENT_TYPE = "application/json";

/**
 * Headers the broker leaves off the wire because the receiver restores them: `Micro-Topic`
 * equal to the subject, and the default `Content-Type`. They were ≈ 60 of the ≈ 190 header
 * bytes of a small event, and bytes are what the publisher's flush and socket write pay for.
 */
function impliedFor(subject: string): Readonly<Record<string, string>> {
  return { [Headers.topic]: subject, [Headers.contentType]: WIRE_CONTENT_TYPE };
}

// Most publishers repeat one topic: keep the last one's record rather than build it per event.
let lastImplied = impliedFor("");

function implied(subject: string): Readonly<Record<string, string>> {
  if (lastImplied[Headers.topic] !== subject) lastImplied = impliedFor(subject);
  return lastImplied;
}

/** The NATS headers that carry `header` on `subject`, without what the receiver can restore. */
export function toWireHeaders(header: Readonly<Record<string, string>>, subject: string): MsgHdrs {
  return toNatsHeaders(header, implied(subject));
}

/** The header block `toWireHeaders` would make, as text; undefined when a key is one nats.js refuses. */
export function wireHeaderBlock(header: Readonly<Record<string, string>>, subject: string): string | undefined {
  return headerBlock(header, implied(subject));
}

/**
 * Puts back what `toWireHeaders` left out, so subscribers see the same headers whichever way
 * they travelled; a message from a plain NATS publisher gets them too.
 */
export function restoreWireHeaders(header: Record<string, string>, subject: string): Record<string, string> {
  header[Headers.topic] ??= subject;
  header[Headers.contentType] ??= WIRE_CONTENT_TYPE;
  return header;
}
