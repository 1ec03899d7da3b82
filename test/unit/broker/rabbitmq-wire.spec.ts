import type { ConsumeMessage } from "amqplib";
import { ATTEMPT_HEADER, decode, publishProperties } from "../../../src/broker/rabbitmq/wire";
import { Headers } from "../../../src/transport/headers";

function delivered(headers: Record<string, unknown>, extra: { routingKey?: string; contentType?: string; messageId?: string } = {}): ConsumeMessage {
  return {
    content: Buffer.from("body"),
    fields: { deliveryTag: 1, redelivered: false, exchange: "micro", routingKey: extra.routingKey ?? "orders.created", consumerTag: "c" },
    properties: { headers, contentType: extra.contentType, messageId: extra.messageId },
  } as unknown as ConsumeMessage;
}

describe("RabbitMQ wire mapping", () => {
  it("publishes every header as an AMQP header, Content-Type and Micro-Id also as properties", () => {
    const p = publishProperties("orders.created", { header: { [Headers.id]: "m1", [Headers.contentType]: "application/json", "X-User": "ann" }, body: Buffer.alloc(0) }, true);
    expect(p).toMatchObject({ messageId: "m1", contentType: "application/json", persistent: true });
    expect(p.headers).toEqual({ [Headers.id]: "m1", [Headers.contentType]: "application/json", "X-User": "ann", [Headers.topic]: "orders.created" });
  });

  it("gives a message without Micro-Id a random one, and counts attempts only when asked", () => {
    const p = publishProperties("t", { header: {}, body: Buffer.alloc(0) }, false, 3);
    expect(p.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.headers![Headers.id]).toBe(p.messageId);
    expect(p.headers![ATTEMPT_HEADER]).toBe(3);
  });

  it("hides RabbitMQ's and its own bookkeeping headers from handlers and stringifies other values", () => {
    const d = decode(
      delivered({
        [Headers.topic]: "orders.created",
        [ATTEMPT_HEADER]: 2,
        "x-death": [{ count: 1 }],
        "x-first-death-queue": "q",
        "X-Bytes": Buffer.from("raw"),
        "X-Number": 7,
        "X-Null": null,
      }),
    );
    expect(d.attempt).toBe(2);
    expect(d.message.header).toEqual({ [Headers.topic]: "orders.created", "X-Bytes": "raw", "X-Number": "7" });
  });

  it("takes the topic from Micro-Topic (a copy back from a retry queue has the queue's name as routing key)", () => {
    expect(decode(delivered({ [Headers.topic]: "orders.created" }, { routingKey: "micro:orders.created:billing" })).topic).toBe("orders.created");
    expect(decode(delivered({}, { routingKey: "from.elsewhere", contentType: "text/plain", messageId: "m9" })).message.header).toEqual({
      [Headers.topic]: "from.elsewhere",
      [Headers.contentType]: "text/plain",
      [Headers.id]: "m9",
    });
  });

  it("treats a nonsense attempt header as the first attempt", () => {
    expect(decode(delivered({ [ATTEMPT_HEADER]: "x" })).attempt).toBe(1);
    expect(decode(delivered({ [ATTEMPT_HEADER]: 0 })).attempt).toBe(1);
  });
});
