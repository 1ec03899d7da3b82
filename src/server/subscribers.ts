import type { Broker, BrokerEvent, Subscription } from "../broker/broker";
import type { CodecSet } from "../codec/codecs";
import type { Client } from "../client/client";
import type { SubscriberDescriptor } from "../discovery/descriptors";
import { MicroError } from "../errors";
import type { Logger } from "../logger/logger";
import { Context } from "../metadata/context";
import { Headers } from "../transport/headers";
import { compose, type Instantiate } from "../wrappers/chain";
import type { Inflight } from "./inflight";
import type { SubscriberFn, SubscriberWrapperLike } from "./server";
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
  /** The server's subscriber wrappers, outermost first; each subscriber's own ones run inside them. */
  wrappers?: readonly SubscriberWrapperLike[];
  /** Builds interceptor classes (the DI container's `get`); default `new`. */
  instantiate?: Instantiate;
}

/** Subscribes every descriptor on the broker; the returned subscriptions are unsubscribed at stop. */
export function subscribeAll(deps: SubscriberDeps, descriptors: readonly SubscriberDescriptor[]): Promise<Subscription[]> {
  const inner = validateAndDeliver(deps);
  return Promise.all(
    descriptors.map((d) => {
      const chain = compose([...(deps.wrappers ?? []), ...((d.wrappers ?? []) as readonly SubscriberWrapperLike[])], inner, deps.instantiate);
      return deps.broker.subscribe(d.topic, (event) => deliver(deps, d, chain, event), { queue: d.queue });
    }),
  );
}

/**
 * The innermost stage: validates the event (when its subscriber asks for it) and runs the
 * subscriber. An invalid event is logged once and dropped (a redelivery would fail the same way).
 */
function validateAndDeliver(deps: SubscriberDeps): SubscriberFn {
  return async (ev, ctx) => {
    const d = ev.subscriber;
    let payload = ev.body;
    if (d.validate && d.eventType) {
      try {
        payload = await validateInto(d.eventType, ev.body, { forbidNonWhitelisted: d.forbidNonWhitelisted ?? deps.forbidNonWhitelisted ?? false });
      } catch (err) {
        deps.logger.error("invalid event dropped", { topic: ev.topic, id: ev.header[Headers.id] ?? "", error: MicroError.is(err) ? err.detail : String(err) });
        return;
      }
    }
    await d.invoke(payload, ctx);
  };
}

/**
 * Decodes one event and runs it through the subscriber's chain. An undecodable event is logged
 * and dropped; a failure is logged and rethrown so acking brokers redeliver.
 */
async function deliver(deps: SubscriberDeps, d: SubscriberDescriptor, chain: SubscriberFn, event: BrokerEvent): Promise<void> {
  deps.inflight.begin();
  const h = event.message.header;
  const id = h[Headers.id] ?? "";
  try {
    let body: unknown;
    try {
      const codec = deps.codecs.get(h[Headers.contentType] ?? "application/json");
      body = codec.unmarshal(event.message.body, { type: "event", id, endpoint: event.topic });
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
      await chain({ service: deps.service, topic: event.topic, subscriber: d, header: h, body }, ctx);
    } catch (err) {
      deps.logger.error("subscriber failed", { topic: event.topic, id, error: err instanceof Error ? err.stack : String(err) });
      throw err;
    }
  } finally {
    deps.inflight.end();
  }
}
