import { headers as natsHeaders, type MsgHdrs } from "nats";

/** Copies message headers into NATS headers (NATS keeps keys as given; values must be one line). */
export function toNatsHeaders(header: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(header)) h.set(k, v.replace(/[\r\n]+/g, " "));
  return h;
}

/**
 * Reads NATS headers back into a plain record (the first value of each key). NATS's own
 * `Nats-*` headers stay behind: a republished copy carrying `Nats-Msg-Id` would be dropped as a duplicate.
 */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === undefined) return out;
  for (const [k, values] of h) if (values.length > 0 && !/^nats-/i.test(k)) out[k] = values[0]!;
  return out;
}
