import type { Broker, BrokerEvent, Subscription } from "../broker/broker";
import type { CodecSet } from "../codec/codecs";
import type { Client } from "../client/client";
import type { SubscriberDescriptor } from "../discovery/descriptors";
import { MicroError } from "../errors";
import type { Logger } from "../logger/logger";
import { Context } from "../metadata/context";
import { Headers } from "../transport/headers";
import type { Inflight } from "./inflight";
import { validateInto } from "./validation";

/** What subscriber delivery needs from the server. */
export interface SubscriberDeps {
  service: string;
  broker: Broker;
  codecs: CodecSet;
  inflight: Inflight;
  logger: Logger;
  client?: Client;
  /** The server's default for subscribers that do not say; default false. */
  forbidNonWhitelisted?: boolean;
}

/** Subscribes every descriptor on the broker; the returned subscriptions are unsubscribed at stop. */
export function subscribeAll(deps: SubscriberDeps, descriptors: readonly SubscriberDescriptor[]): Promise<Subscription[]> {
  return Promise.all(
    descriptors.map((d) => deps.broker.subscribe(d.topic, (event) => deliver(deps, d, event), { queue: d.queue })),
  );
}

/**
 * Decodes, validates and runs one event. An invalid event is logged once and dropped (a
 * redelivery would fail the same way); a handler failure is logged and rethrown so acking
 * brokers redeliver.
 */
async function deliver(deps: SubscriberDeps, d: SubscriberDescriptor, event: BrokerEvent): Promise<void> {
  deps.inflight.begin();
  const h = event.message.header;
  const id = h[Headers.id] ?? "";
  try {
    let payload: unknown;
    try {
      const codec = deps.codecs.get(h[Headers.contentType] ?? "application/json");
      const decoded = codec.unmarshal(event.message.body, { type: "event", id, endpoint: event.topic });
      const forbid = d.forbidNonWhitelisted ?? deps.forbidNonWhitelisted ?? false;
      payload = d.validate && d.eventType ? await validateInto(d.eventType, decoded, { forbidNonWhitelisted: forbid }) : decoded;
    } catch (err) {
      deps.logger.error("invalid event dropped", { topic: event.topic, id, error: MicroError.is(err) ? err.detail : String(err) });
      return;
    }
    const ctx = new Context({
      headers: h,
      caller: h[Headers.fromService],
      service: deps.service,
      endpoint: event.topic,
      logger: deps.logger,
      client: deps.client,
    });
    try {
      await d.invoke(payload, ctx);
    } catch (err) {
      deps.logger.error("subscriber failed", { topic: event.topic, id, error: err instanceof Error ? err.stack : String(err) });
      throw err;
    }
  } finally {
    deps.inflight.end();
  }
}
