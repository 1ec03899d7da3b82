import { createHash } from "node:crypto";

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
