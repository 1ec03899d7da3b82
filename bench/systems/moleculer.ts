import { ServiceBroker, type BrokerOptions, type Context } from "moleculer";
import { EVENT_TOPIC, greet, type EchoMessage, type HelloRequest, type Op } from "../payloads";
import type { PubSubAdapter, RpcAdapter, SystemEnv } from "./types";

// Moleculer 0.14 (0.15 needs Node 22) as documented, with what a production setup turns off
// for speed: no logger, metrics or tracing. TCP: UDP discovery off, the client finds the
// server through a static `urls` entry on 127.0.0.1 (the server's reply path is the address
// the client connected from, also 127.0.0.1). NATS: the transporter on the suite's nats-server.

const SERVER_NODE = "bench-server";

function options(nodeID: string, transporter: BrokerOptions["transporter"]): BrokerOptions {
  // dependencyInterval only shortens waitForServices' polling before the measurement starts.
  return { nodeID, namespace: "bench", logger: false, metrics: false, tracing: false, requestTimeout: 10_000, dependencyInterval: 100, transporter };
}

function transporter(kind: "tcp" | "nats", env: SystemEnv, serverAddress?: string): BrokerOptions["transporter"] {
  if (kind === "nats") return env.natsUrl;
  const urls = serverAddress ? [`${serverAddress}/${SERVER_NODE}`] : undefined;
  // gossipPeriod 1 s (its minimum; default 2) only speeds up discovery before the measurement.
  return { type: "TCP", options: { udpDiscovery: false, urls, gossipPeriod: 1 } };
}

/** The TCP port Moleculer's transporter listens on (chosen at random when it starts). */
function tcpPort(broker: ServiceBroker): number {
  // Not in Moleculer's typings: the TCP transporter keeps its bound port in `opts.port`.
  const tx = broker.transit?.tx as unknown as { opts: { port: number } } | undefined;
  if (!tx) throw new Error("moleculer broker has no transporter");
  return tx.opts.port;
}

const ACTION: Record<Op, string> = { hello: "greeter.hello", echo: "greeter.echo" };

/** Moleculer request/response (`broker.call`) over its TCP or NATS transporter. */
export function moleculerRpc(kind: "tcp" | "nats"): RpcAdapter {
  return {
    async startServer(env) {
      const broker = new ServiceBroker(options(SERVER_NODE, transporter(kind, env)));
      broker.createService({
        name: "greeter",
        actions: {
          hello: (ctx: Context<HelloRequest>) => greet(ctx.params),
          echo: (ctx: Context<EchoMessage>): EchoMessage => ({ text: ctx.params.text }),
        },
      });
      await broker.start();
      return { address: kind === "tcp" ? `127.0.0.1:${tcpPort(broker)}` : "greeter", close: () => broker.stop() };
    },
    async connect(address, env) {
      const broker = new ServiceBroker(options(`bench-client-${process.pid}`, transporter(kind, env, address)));
      await broker.start();
      await broker.waitForServices("greeter", 10_000);
      return { call: (op, body) => broker.call(ACTION[op], body), close: () => broker.stop() };
    },
  };
}

/** Moleculer events (`broker.emit` to a service's `events`) over NATS. */
export const moleculerEvents: PubSubAdapter = {
  async subscribe(env, onEvent) {
    const broker = new ServiceBroker(options(`bench-listener-${process.pid}`, env.natsUrl));
    broker.createService({ name: "listener", events: { [EVENT_TOPIC]: (ctx: Context<unknown>) => onEvent(ctx.params) } });
    await broker.start();
    return { info: null, close: () => broker.stop() };
  },
  async publisher(env) {
    const broker = new ServiceBroker(options(`bench-publisher-${process.pid}`, env.natsUrl));
    await broker.start();
    await broker.waitForServices("listener", 10_000);
    return {
      publishBatch: async (events) => void (await Promise.all(events.map((ev) => broker.emit(EVENT_TOPIC, ev)))),
      close: () => broker.stop(),
    };
  },
};
