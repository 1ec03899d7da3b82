import { SETTLED } from "../internal/settled";
import type { Message } from "../transport/transport";

/** A broker message has the same shape as a transport message. */
export type BrokerMessage = Message;

/**
 * What a subscriber needs from the broker. `at-most-once` (the default, go-micro's semantics):
 * a message is delivered once or lost; a handler failure is logged and dropped.
 * `at-least-once`: a message is acknowledged only after the handler resolves; a rejection or a
 * crash redelivers it after a backoff, up to `maxAttempts`, then it goes to the dead-letter topic.
 */
export type DeliveryGuarantee = "at-most-once" | "at-least-once";

/** Redelivery delays: `initialMs × multiplier^(attempt−1)`, capped at `maxMs`. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  multiplier?: number;
}

/** Where a delivery stands; handlers use it to be idempotent. */
export interface DeliveryInfo {
  /** 1 for the first delivery, 2 for the first redelivery, … */
  readonly attempt: number;
  /** The message's id (its `Micro-Id` header, or the backend's id when the publisher set none). */
  readonly id: string;
  /** True when the broker delivered this message before. */
  readonly redelivered: boolean;
}

/** One delivered message. */
export interface BrokerEvent {
  readonly topic: string;
  readonly message: BrokerMessage;
  /** Attempt, id and redelivery flag of this delivery. */
  readonly delivery: DeliveryInfo;
  /** Acknowledges the message (no-op when the broker auto-acks). */
  ack(): Promise<void>;
}

/**
 * Handles one delivery. Resolving acknowledges it. A rejection is logged; with at-least-once
 * delivery it is redelivered after a backoff, or dead-lettered at once when the error is
 * permanent (see `isPermanentFailure`, e.g. an invalid event) or the attempts are used up.
 */
export type BrokerHandler = (event: BrokerEvent) => Promise<void>;

/** Options for one subscription. */
export interface SubscribeOptions {
  /** Subscribers sharing a queue name split the messages; without one each gets a copy. */
  queue?: string;
  /** Ack after the handler resolves (default true). */
  autoAck?: boolean;
  /** Default `at-most-once`. */
  delivery?: DeliveryGuarantee;
  /** Deliveries before a message is dead-lettered (at-least-once); default 5. */
  maxAttempts?: number;
  /** Delay before each redelivery (at-least-once). */
  backoff?: BackoffOptions;
  /** Dead-letter topic (at-least-once); default `<topic>.dlq`; `false` drops instead. */
  deadLetter?: string | false;
}

/** Options for one publish. */
export interface PublishOptions {
  /** Extra message headers (caller metadata travels this way). */
  headers?: Record<string, string>;
  /** Partition/ordering key where the backend has one (RabbitMQ routing suffix, Redis stream field). */
  key?: string;
  /** How long to wait for the broker to accept the message, in ms; default 5000. */
  timeoutMs?: number;
}

/** A live subscription. */
export interface Subscription {
  readonly topic: string;
  readonly queue?: string;
  /** Stops delivery; idempotent. */
  unsubscribe(): Promise<void>;
}

/**
 * Messages waiting for one of this process's subscriptions: published but not yet delivered,
 * plus delivered but not yet acknowledged where the backend reports those.
 */
export interface BrokerLag {
  readonly topic: string;
  /** The subscription's queue group; absent for a subscriber's own copy. */
  readonly queue?: string;
  readonly pending: number;
}

/**
 * What a broker's `publish` may return when the message was accepted before `publish` returned
 * (core NATS: the bytes are queued on the connection). The client then resolves at once instead
 * of arming a deadline and waiting a turn for a promise it knows is settled.
 */
export const ACCEPTED: Promise<void> = SETTLED;

/** Publishes and delivers events. `connect`/`disconnect` are idempotent. */
export interface Broker {
  readonly name: string;
  /** Where the broker is reachable, for logs ("" when in-process). */
  readonly address: string;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  publish(topic: string, message: BrokerMessage, options?: PublishOptions): Promise<void>;
  subscribe(topic: string, handler: BrokerHandler, options?: SubscribeOptions): Promise<Subscription>;
  /**
   * The lag of each live subscription of this process that the backend can measure (others are
   * left out); absent when the backend cannot measure any.
   */
  lag?(): Promise<BrokerLag[]>;
}
