import type { BenchEvent, EchoMessage, HelloRequest, Op } from "../payloads";

/** What a system's processes are told about the run. */
export interface SystemEnv {
  /** `nats://127.0.0.1:<port>` when the suite started a nats-server. */
  natsUrl?: string;
  /** `redis://127.0.0.1:<port>` when the suite started a redis-server. */
  redisUrl?: string;
  /** `amqp://guest:guest@127.0.0.1:<port>` when the suite started a RabbitMQ node. */
  amqpUrl?: string;
  /** The closed loop's concurrency (a client may size its connection pool from it). */
  concurrency: number;
}

/** A running server (in the server process). */
export interface ServerHandle {
  /** Where the client should connect: `host:port`, or a subject/name for broker-based systems. */
  address: string;
  close(): Promise<void>;
}

/** A connected client (in the load-generator process). */
export interface ClientHandle {
  /** Sends one request and resolves with the decoded response (checked by the caller). */
  call(op: Op, body: HelloRequest | EchoMessage): Promise<unknown>;
  close(): Promise<void>;
}

/** One request/response system under test: a server side and a client side. */
export interface RpcAdapter {
  startServer(env: SystemEnv): Promise<ServerHandle>;
  connect(address: string, env: SystemEnv): Promise<ClientHandle>;
}

/** A running subscriber (in the subscriber process). */
export interface SubscriberHandle {
  /** Anything the publisher needs to find the subscriber (JSON-serialisable). */
  info: unknown;
  close(): Promise<void>;
}

/** A connected publisher (in the publisher process). */
export interface PublisherHandle {
  /** Sends `events` and resolves once they have left this process (as far as the system lets one know). */
  publishBatch(events: readonly BenchEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** One pub/sub system under test. */
export interface PubSubAdapter {
  subscribe(env: SystemEnv, onEvent: (event: unknown) => void): Promise<SubscriberHandle>;
  publisher(env: SystemEnv, info: unknown): Promise<PublisherHandle>;
}
