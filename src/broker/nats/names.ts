import { createHash } from "node:crypto";
import { badRequest } from "../../errors";

/** A subject to publish to: dot-separated tokens, none empty, no whitespace, no wildcards. */
const PUBLISH_SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
/** A subject to subscribe to: as above, but a token may be `*`, and the last may be `>`. */
const SUBSCRIBE_SUBJECT = /^([^\s.*>]+|\*)(\.([^\s.*>]+|\*))*(\.>)?$|^>$/;

/**
 * Rejects a topic that is not a NATS subject with a 400 (the caller's mistake, never worth a
 * retry): an empty token (`a..b`), whitespace, or a wildcard where it cannot be.
 */
export function checkSubject(topic: string, forSubscribe: boolean): void {
  if ((forSubscribe ? SUBSCRIBE_SUBJECT : PUBLISH_SUBJECT).test(topic)) return;
  const why = !forSubscribe && /(^|\.)[*>](\.|$)/.test(topic) ? `"*" and ">" are for subscriptions` : "a subject is dot-separated tokens without spaces";
  throw badRequest(`nats broker: ${JSON.stringify(topic)} is not a valid topic: ${why}`);
}

/** True when a subject has a wildcard token (`*` or `>`) among its first `tokens`, so it matches other subjects than itself. */
export function hasWildcard(subject: string, tokens = Infinity): boolean {
  return subject.split(".").some((token, i) => i < tokens && (token === "*" || token === ">"));
}

/** Characters NATS allows in stream and consumer names. */
const unsafe = /[^A-Za-z0-9_-]/g;

/** The stream that holds `topic`: the prefix plus its first `tokens` subject tokens. */
export function streamFor(topic: string, prefix: string, tokens: number): { name: string; subjects: string[] } {
  const head = topic.split(".").slice(0, tokens).join(".");
  return { name: `${prefix}_${head.replace(unsafe, "_")}`, subjects: [head, `${head}.>`] };
}

/**
 * The durable consumer name of a queue group on a topic. Readable, plus a short hash of both
 * raw names, since sanitising can map different topics to the same text.
 */
export function durableName(topic: string, queue: string): string {
  const hash = createHash("sha1").update(`${topic}\u0000${queue}`).digest("hex").slice(0, 8);
  return `${queue.replace(unsafe, "_")}_${topic.replace(unsafe, "_")}`.slice(0, 200) + `_${hash}`;
}
