import { Headers } from "../../transport/headers";
import type { BrokerMessage } from "../broker";

/** The registry service every HTTP broker subscription is registered under (go-micro's name). */
export const BROKER_SERVICE = "micro.http.broker";

/** The service version of subscriptions without a queue: each of them gets every message. */
export const BROADCAST_VERSION = "ff.http.broadcast";

/** go-micro's JSON of `broker.Message`: Go marshals `[]byte` as base64 and a nil slice as null. */
interface Envelope {
  Header: Record<string, string>;
  Body: string | null;
}

/** Encodes a message for `topic` as go-micro does, adding the `Micro-Topic` header. */
export function encodeEnvelope(topic: string, message: BrokerMessage): Buffer {
  const envelope: Envelope = { Header: { ...message.header, [Headers.topic]: topic }, Body: message.body.toString("base64") };
  return Buffer.from(JSON.stringify(envelope));
}

/** Decodes a go-micro broker envelope; returns a reason string when it is not one. */
export function decodeEnvelope(data: Buffer): BrokerMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch {
    return "body is not JSON";
  }
  if (typeof value !== "object" || value === null) return "body is not a JSON object";
  const { Header: header, Body: body } = value as Partial<Record<keyof Envelope, unknown>>;
  if (typeof header !== "object" || header === null || Array.isArray(header)) return "Header is not an object";
  for (const v of Object.values(header)) if (typeof v !== "string") return "Header values must be strings";
  if (body !== undefined && body !== null && typeof body !== "string") return "Body is not base64 text";
  return { header: { ...(header as Record<string, string>) }, body: typeof body === "string" ? Buffer.from(body, "base64") : Buffer.alloc(0) };
}
