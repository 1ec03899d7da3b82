import "reflect-metadata";
import { Controller, Inject, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { ClientProxyFactory, EventPattern, MessagePattern, Payload, Transport, type ClientProxy, type MicroserviceOptions } from "@nestjs/microservices";
import type { AddressInfo, Server } from "node:net";
import { firstValueFrom, lastValueFrom } from "rxjs";
import { EVENT_TOPIC, greet, type EchoMessage, type HelloRequest, type HelloResponse, type Op } from "../payloads";
import type { PubSubAdapter, RpcAdapter, SystemEnv } from "./types";

// NestJS 11 microservices (the last CommonJS major; 12 is ESM-only) with a controller of
// @MessagePattern / @EventPattern handlers, Nest's default JSON serializer, logging off.

@Controller()
class GreeterController {
  @MessagePattern("greeter.hello")
  hello(@Payload() req: HelloRequest): HelloResponse {
    return greet(req);
  }

  @MessagePattern("greeter.echo")
  echo(@Payload() req: EchoMessage): EchoMessage {
    return { text: req.text };
  }
}

@Module({ controllers: [GreeterController] })
class NestRpcModule {}

const EVENT_SINK = "BENCH_EVENT_SINK";

@Controller()
class ListenerController {
  constructor(@Inject(EVENT_SINK) private readonly sink: (event: unknown) => void) {}

  @EventPattern(EVENT_TOPIC)
  onEvent(@Payload() ev: unknown): void {
    this.sink(ev);
  }
}

function transportOptions(kind: "tcp" | "nats", env: SystemEnv, address = "127.0.0.1:0"): MicroserviceOptions {
  if (kind === "nats") return { transport: Transport.NATS, options: { servers: [env.natsUrl ?? ""] } };
  const [host, port] = address.split(":") as [string, string];
  return { transport: Transport.TCP, options: { host, port: Number(port) } };
}

/** A ClientProxy for `kind`, connected. */
async function client(kind: "tcp" | "nats", env: SystemEnv, address?: string): Promise<ClientProxy> {
  // MicroserviceOptions and ClientOptions share these shapes for TCP and NATS.
  const proxy = ClientProxyFactory.create(transportOptions(kind, env, address) as Parameters<typeof ClientProxyFactory.create>[0]);
  await proxy.connect();
  return proxy;
}

const PATTERN: Record<Op, string> = { hello: "greeter.hello", echo: "greeter.echo" };

/** Nest request/response (`ClientProxy.send`) over Transport.TCP or Transport.NATS. */
export function nestRpc(kind: "tcp" | "nats"): RpcAdapter {
  return {
    async startServer(env) {
      const app = await NestFactory.createMicroservice<MicroserviceOptions>(NestRpcModule, { ...transportOptions(kind, env), logger: false });
      await app.listen();
      const address = kind === "tcp" ? `127.0.0.1:${(app.unwrap<Server>().address() as AddressInfo).port}` : "greeter";
      return { address, close: () => app.close() };
    },
    async connect(address, env) {
      const proxy = await client(kind, env, address);
      return { call: (op, body) => firstValueFrom(proxy.send<unknown>(PATTERN[op], body)), close: () => proxy.close() };
    },
  };
}

/** Nest events (`ClientProxy.emit` to an @EventPattern handler) over NATS. */
export const nestEvents: PubSubAdapter = {
  async subscribe(env, onEvent) {
    @Module({ controllers: [ListenerController], providers: [{ provide: EVENT_SINK, useValue: onEvent }] })
    class ListenerModule {}
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(ListenerModule, { ...transportOptions("nats", env), logger: false });
    await app.listen();
    // Not typed by Nest: the NATS server's unwrap() is the nats.js connection. Flushing makes
    // sure the subscription reached nats-server before the publisher starts.
    await app.unwrap<{ flush(): Promise<void> }>().flush();
    return { info: null, close: () => app.close() };
  },
  async publisher(env) {
    const proxy = await client("nats", env);
    const nc = proxy.unwrap<{ flush(): Promise<void> }>();
    return {
      async publishBatch(events) {
        await Promise.all(events.map((ev) => lastValueFrom(proxy.emit(EVENT_TOPIC, ev), { defaultValue: undefined })));
        await nc.flush();
      },
      close: () => proxy.close(),
    };
  },
};
