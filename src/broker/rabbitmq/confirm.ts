import type { ConfirmChannel, Options } from "amqplib";
import { MicroError, serviceUnavailable, timeout } from "../../errors";
import { clampDelay } from "../../internal/timers";
import { describe } from "./session";

/**
 * Publishes on a confirm channel and resolves when the broker confirms the message. A nack or a
 * channel closing under it is a 503; no confirm within `timeoutMs` is a 408. Either way the
 * message may or may not have been stored: a retry can duplicate it, never lose it.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  properties: Options.Publish,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: MicroError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err === undefined) resolve();
      else reject(err);
    };
    const timer = setTimeout(
      () => settle(timeout(`rabbitmq broker: ${JSON.stringify(routingKey)} not confirmed within ${timeoutMs} ms`)),
      clampDelay(timeoutMs),
    );
    try {
      // amqplib buffers when the socket is congested (publish returns false); the confirm is what we wait for.
      channel.publish(exchange, routingKey, body, properties, (err: unknown) =>
        settle(err == null ? undefined : serviceUnavailable(`rabbitmq broker: ${JSON.stringify(routingKey)} not accepted: ${describe(err)}`)),
      );
    } catch (err) {
      settle(serviceUnavailable(`rabbitmq broker: cannot publish ${JSON.stringify(routingKey)}: ${describe(err)}`));
    }
  });
}
