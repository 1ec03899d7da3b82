import { DEFAULT_RABBITMQ_BROKER_OPTIONS, RabbitMqBroker, resolveRabbitMqBrokerOptions } from "../../../src/broker/rabbitmq";
import { redact } from "../../../src/broker/rabbitmq/session";
import { checkTopic } from "../../../src/broker/rabbitmq/wire";
import { MicroError } from "../../../src/errors";

describe("RabbitMQ broker options", () => {
  it("fills defaults in one place, the dead-letter exchange following the exchange", () => {
    expect(resolveRabbitMqBrokerOptions()).toMatchObject({ ...DEFAULT_RABBITMQ_BROKER_OPTIONS, deadLetterExchange: "micro.dlx" });
    expect(resolveRabbitMqBrokerOptions({ exchange: "events" }).deadLetterExchange).toBe("events.dlx");
    expect(resolveRabbitMqBrokerOptions({ reconnect: { maxMs: 1000 } }).reconnect).toEqual({ initialMs: 100, maxMs: 1000, multiplier: 2 });
  });

  it("rejects a prefetch or reconnect backoff that cannot work", () => {
    expect(() => resolveRabbitMqBrokerOptions({ prefetch: 0 })).toThrow(RangeError);
    expect(() => resolveRabbitMqBrokerOptions({ prefetch: 1.5 })).toThrow(RangeError);
    expect(() => resolveRabbitMqBrokerOptions({ reconnect: { initialMs: 0 } })).toThrow(RangeError);
  });

  it("names the flag and the expected form for an address that is not an AMQP URL", () => {
    for (const url of ["nonsense", "redis://127.0.0.1:6379", "amqp://"]) {
      expect(() => resolveRabbitMqBrokerOptions({ url })).toThrow(`the rabbitmq broker address must be an amqp:// or amqps:// URL such as amqp://guest:guest@127.0.0.1:5672 (--broker_address), got "${url}"`);
    }
    expect(resolveRabbitMqBrokerOptions({ url: "amqps://u:p@127.0.0.1:5671/vh" }).url).toBe("amqps://u:p@127.0.0.1:5671/vh");
  });

  it("never shows the password in its address", () => {
    expect(redact("amqp://user:secret@127.0.0.1:5672/vh")).toBe("amqp://user@127.0.0.1:5672/vh");
    expect(new RabbitMqBroker({ url: "amqp://u:p@127.0.0.1:1" }).address).not.toContain(":p@");
  });

  it("accepts patterns only where they mean something", () => {
    expect(() => checkTopic("orders.*.created", true)).not.toThrow();
    const err: unknown = (() => {
      try {
        checkTopic("orders.#", false);
      } catch (e) {
        return e;
      }
    })();
    expect(MicroError.is(err) && err.code).toBe(400);
    expect(() => checkTopic("", true)).toThrow(MicroError);
    expect(() => checkTopic("x".repeat(256), true)).toThrow(MicroError);
  });

  it("refuses to publish or subscribe before connect, with a 503", async () => {
    const broker = new RabbitMqBroker();
    await expect(broker.publish("a", { header: {}, body: Buffer.alloc(0) })).rejects.toMatchObject({ code: 503 });
    await expect(broker.subscribe("a", async () => undefined)).rejects.toMatchObject({ code: 503 });
    await broker.disconnect();
  });
});
