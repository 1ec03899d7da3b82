import { connect, createInbox, type Msg, type NatsConnection, type NatsError } from "nats";
import { EVENT_TOPIC, greet, type HelloRequest } from "../payloads";
import type { PubSubAdapter, RpcAdapter, SystemEnv } from "./types";

// nats.js 2 on the suite's nats-server, used directly: JSON bodies, callback subscriptions
// (no async iterators). Request/reply is muxed by hand, the way a framework would: one
// wildcard subscription on the client's inbox, the request id in the reply subject, no timer
// per request. (nats.js's own `request()` arms a timer and, by default, captures a stack trace
// per call: about half the throughput.)

async function natsConnect(env: SystemEnv): Promise<NatsConnection> {
  if (!env.natsUrl) throw new Error("no nats-server");
  return connect({ servers: env.natsUrl, name: `bench-${process.pid}`, noAsyncTraces: true });
}

/** The UTF-8 text of a message's payload, without copying it. */
function text(msg: Msg): string {
  const d = msg.data;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString();
}

const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

/** NATS request/reply with a plain subscriber that answers `bench.hello` / `bench.echo`. */
export const rawNatsRpc: RpcAdapter = {
  async startServer(env) {
    const nc = await natsConnect(env);
    const handle = (op: "hello" | "echo") => (err: NatsError | null, msg: Msg) => {
      if (err) return;
      const req: unknown = JSON.parse(text(msg));
      msg.respond(encode(op === "hello" ? greet(req as HelloRequest) : req));
    };
    nc.subscribe("bench.hello", { callback: handle("hello") });
    nc.subscribe("bench.echo", { callback: handle("echo") });
    await nc.flush();
    return { address: "bench", close: () => nc.close() };
  },
  async connect(address, env) {
    const nc = await natsConnect(env);
    const inbox = createInbox();
    const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
    nc.subscribe(`${inbox}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const id = Number(msg.subject.slice(inbox.length + 1));
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        p.resolve(JSON.parse(text(msg)));
      },
    });
    await nc.flush();
    void nc.closed().then(() => {
      for (const p of pending.values()) p.reject(new Error("nats connection closed"));
      pending.clear();
    });
    let nextId = 0;
    return {
      call(op, body) {
        const id = ++nextId;
        nc.publish(`${address}.${op}`, encode(body), { reply: `${inbox}.${id}` });
        return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      },
      close: () => nc.close(),
    };
  },
};

/** NATS publish/subscribe: the publisher flushes after every batch. */
export const rawNatsPubSub: PubSubAdapter = {
  async subscribe(env, onEvent) {
    const nc = await natsConnect(env);
    nc.subscribe(EVENT_TOPIC, { callback: (err, msg) => err || onEvent(JSON.parse(text(msg))) });
    await nc.flush();
    return { info: null, close: () => nc.close() };
  },
  async publisher(env) {
    const nc = await natsConnect(env);
    return {
      async publishBatch(events) {
        for (const ev of events) nc.publish(EVENT_TOPIC, encode(ev));
        await nc.flush();
      },
      close: () => nc.close(),
    };
  },
};
