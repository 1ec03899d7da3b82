import type { Message } from "../transport/transport";

/** A broker message has the same shape as a transport message. */
export type BrokerMessage = Message;

/** One delivered message. */
export interface BrokerEvent {
  readonly topic: string;
  readonly message: BrokerMessage;
  /** Acknowledges the message (no-op when the broker auto-acks). */
  ack(): Promise<void>;
}

/** Handles one delivery; a rejection is logged and, on brokers that ack, the message is not acked. */
export type BrokerHandler = (event: BrokerEvent) => Promise<void>;

/** Options for one subscription. */
export interface SubscribeOptions {
  /** Subscribers sharing a queue name split the messages; without one each gets a copy. */
  queue?: string;
  /** Ack after the handler resolves (default true). */
  autoAck?: boolean;
}

/** Options for one publish. */
export type PublishOptions = Record<string, never>;

/** A live subscription. */
export interface Subscription {
  readonly topic: string;
  readonly queue?: string;
  /** Stops delivery; idempotent. */
  unsubscribe(): Promise<void>;
}

/** Publishes and delivers events. `connect`/`disconnect` are idempotent. */
export interface Broker {
  readonly name: string;
  /** Where the broker is reachable, for logs ("" when in-process). */
  readonly address: string;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  publish(topic: string, message: BrokerMessage, options?: PublishOptions): Promise<void>;
  subscribe(topic: string, handler: BrokerHandler, options?: SubscribeOptions): Promise<Subscription>;
}
