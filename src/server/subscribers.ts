import type { Broker, BrokerEvent, Subscription } from "../broker/broker";
import { isPermanentFailure } from "../broker/delivery";
import type { CodecSet } from "../codec/codecs";
import type { Client } from "../client/client";
import type { SubscriberDescriptor } from "../discovery/descriptors";
import { invokeSafely } from "../discovery/invoke";
import { badRequest, ErrorIds, MicroError } from "../errors";
import type { Logger } from "../logger/logger";
import { Context } from "../metadata/context";
import { Headers } from "../transport/headers";
import { compose, type Instantiate } from "../wrappers/chain";
import type { Inflight } from "./inflight";
import type { SubscriberFn, SubscriberWrapperLike } from "./server";
import { validateFast } from "./validation";

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
      return deps.broker.subscribe(d.topic, (event) => deliver(deps, d, chain, event), { ...d.delivery, queue: d.queue });
    }),
  );
}

/**
 * The innermost stage: validates the event (when its subscriber asks for it) and runs the
 * subscriber. A redelivery would fail the same way, so an invalid event is never retried: an
 * at-most-once subscriber logs it once and drops it; an at-least-once one throws the 400, which
 * the broker dead-letters at once.
 */
function validateAndDeliver(deps: SubscriberDeps): SubscriberFn {
  // Not async: a valid event passes the compiled check synchronously and costs no promise of
  // its own (two per event before, with validateInto's).
  return (ev, ctx) => {
    const d = ev.subscriber;
    if (!d.validate || !d.eventType) return d.invoke(ev.body, ctx);
    let checked: unknown;
    try {
      checked = validateFast(d.eventType, ev.body, d.forbidNonWhitelisted ?? deps.forbidNonWhitelisted ?? false);
    } catch (err) {
      return invalidAsync(deps, d, ev.topic, ev.header[Headers.id] ?? "", err);
    }
    // An event the compiled check could not pass goes through class-validator, asynchronously.
    if (checked instanceof Promise) {
      return checked.then(
        (payload: unknown) => d.invoke(payload, ctx),
        (err: unknown) => invalidAsync(deps, d, ev.topic, ev.header[Headers.id] ?? "", err),
      );
    }
    return d.invoke(checked, ctx);
  };
}

/** `invalidEvent` as a promise: resolved when the event was dropped, rejected with the 400 to dead-letter. */
async function invalidAsync(deps: SubscriberDeps, d: SubscriberDescriptor, topic: string, id: string, err: unknown): Promise<void> {
  invalidEvent(deps, d, topic, id, err);
}

/** Drops an invalid event (at-most-once, logged) or throws it as a 400 for the broker to dead-letter (at-least-once). */
function invalidEvent(deps: SubscriberDeps, d: SubscriberDescriptor, topic: string, id: string, err: unknown): void {
  const error = MicroError.is(err) && err.code === 400 ? err : badRequest(MicroError.is(err) ? err.detail : String(err), ErrorIds.malformed);
  if (d.delivery?.delivery === "at-least-once") {
    deps.logger.error("invalid event dead-lettered", { topic, id, error: error.detail });
    throw error;
  }
  deps.logger.error("invalid event dropped", { topic, id, error: error.detail });
}

/**
 * Decodes one event and runs it through the subscriber's chain. An undecodable event is treated
 * as an invalid one; a failure is logged and rethrown so acking brokers redeliver. Not async:
 * one promise per event (the chain's) instead of three.
 */
function deliver(deps: SubscriberDeps, d: SubscriberDescriptor, chain: SubscriberFn, event: BrokerEvent): Promise<void> {
  const h = event.message.header;
  const id = h[Headers.id] ?? "";
  let body: unknown;
  try {
    const codec = deps.codecs.get(h[Headers.contentType] ?? "application/json");
    body = codec.unmarshal(event.message.body, { type: "event", id, endpoint: event.topic });
  } catch (err) {
    return invalidAsync(deps, d, event.topic, id, err);
  }
  const ctx = new Context({
    headers: h,
    caller: h[Headers.fromService],
    service: deps.service,
    endpoint: event.topic,
    logger: deps.logger,
    client: deps.client,
    delivery: event.delivery,
  });
  const failed = (err: unknown): never => {
    deps.inflight.end();
    // An invalid event was logged where it was found; the broker dead-letters it.
    if (!isPermanentFailure(err)) deps.logger.error("subscriber failed", { topic: event.topic, id, error: err instanceof Error ? err.stack : String(err) });
    throw err;
  };
  deps.inflight.begin();
  // invokeSafely: a synchronous throw, or a plain-JS wrapper's non-promise result, still settles.
  return invokeSafely(chain, { service: deps.service, topic: event.topic, subscriber: d, header: h, body }, ctx).then(() => deps.inflight.end(), failed);
}
