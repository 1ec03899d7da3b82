import { randomUUID } from "node:crypto";
import type { ConsumeMessage, Options } from "amqplib";
import { badRequest } from "../../errors";
import { Headers } from "../../transport/headers";
import type { BrokerMessage } from "../broker";

/** The header counting deliveries of a message across redeliveries through a retry queue (never shown to handlers). */
export const ATTEMPT_HEADER = "x-micro-attempt";

/** Headers RabbitMQ or this broker add for their own bookkeeping; handlers never see them. */
const INTERNAL = /^x-(micro-attempt|death|first-death-|last-death-)/;

/** AMQP's limit on exchange, queue and routing-key names, in bytes. */
const MAX_NAME_BYTES = 255;

/** Rejects a topic that cannot be a routing key (`wildcards` says whether `*`/`#` are allowed, as in subscriptions). */
export function checkTopic(topic: string, wildcards: boolean): void {
  if (topic === "" || Buffer.byteLength(topic) > MAX_NAME_BYTES) {
    throw badRequest(`rabbitmq broker: a topic must have 1 to ${MAX_NAME_BYTES} bytes, got ${JSON.stringify(topic.slice(0, 40))}`);
  }
  if (!wildcards && /(^|\.)[*#](\.|$)/.test(topic)) {
    throw badRequest(`rabbitmq broker: cannot publish to the pattern ${JSON.stringify(topic)}; "*" and "#" are for subscriptions`);
  }
}

/** Rejects a queue name over AMQP's limit (a long topic plus a long group). */
export function checkQueueName(name: string): string {
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw badRequest(`rabbitmq broker: queue name ${JSON.stringify(name.slice(0, 40) + "…")} is over ${MAX_NAME_BYTES} bytes; use a shorter topic or queue group`);
  }
  return name;
}

/** The AMQP publish properties that carry a message: every header as an AMQP header, content type and id also as properties. */
export function publishProperties(topic: string, message: BrokerMessage, persistent: boolean, attempt?: number): Options.Publish {
  const headers: Record<string, string | number> = { ...message.header, [Headers.topic]: topic };
  const messageId = message.header[Headers.id] || randomUUID();
  headers[Headers.id] = messageId;
  if (attempt !== undefined) headers[ATTEMPT_HEADER] = attempt;
  return { headers, messageId, contentType: message.header[Headers.contentType], persistent, timestamp: Math.floor(Date.now() / 1000) };
}

/** A delivered AMQP message as the topic it was published to, its headers and the attempt it is on. */
export interface Decoded {
  readonly topic: string;
  readonly message: BrokerMessage;
  readonly attempt: number;
}

/** Turns a delivered AMQP message back into a broker message (header values other than strings are stringified). */
export function decode(msg: ConsumeMessage): Decoded {
  const header: Record<string, string> = {};
  const raw = (msg.properties.headers ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(raw)) {
    if (INTERNAL.test(k) || v === undefined || v === null) continue;
    header[k] = Buffer.isBuffer(v) ? v.toString() : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  if (header[Headers.contentType] === undefined && typeof msg.properties.contentType === "string") header[Headers.contentType] = msg.properties.contentType;
  if (header[Headers.id] === undefined && typeof msg.properties.messageId === "string") header[Headers.id] = msg.properties.messageId;
  // A message coming back from a retry queue carries the queue's name as routing key: the header keeps the topic.
  const topic = header[Headers.topic] ?? msg.fields.routingKey;
  header[Headers.topic] = topic;
  const attempt = Number(raw[ATTEMPT_HEADER] ?? 1);
  return { topic, message: { header, body: msg.content }, attempt: Number.isInteger(attempt) && attempt >= 1 ? attempt : 1 };
}
