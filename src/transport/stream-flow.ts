import { END_OF_STREAM, Headers } from "./headers";
import type { Message } from "./transport";

/**
 * Messages either side of a stream may send before the other acknowledges them (`Micro-Ack`).
 * A protocol constant, the same on every transport: a receiver buffers at most this many
 * messages per stream, so a slow consumer holds back its own stream and nothing else.
 */
export const STREAM_WINDOW = 1024;

/** A receiver acknowledges once it has consumed this many messages since its last ack. */
export const STREAM_ACK_EVERY = STREAM_WINDOW / 2;

/** What a stream message means to the receiving stream. */
export type StreamSignal = "data" | "ack" | "cancel" | "end" | "error";

/** Classifies a stream message by its headers. */
export function streamSignal(header: Record<string, string>): StreamSignal {
  if (header[Headers.ack] !== undefined) return "ack";
  if (header[Headers.cancel] !== undefined) return "cancel";
  const error = header[Headers.error];
  if (error === undefined) return "data";
  return error === END_OF_STREAM ? "end" : "error";
}

const EMPTY = Buffer.alloc(0);

/** A control message (ack, cancel, EOS, error) of stream `id`, with an empty body. */
export function streamControl(id: string, name: string, value: string): Message {
  return { header: { [Headers.id]: id, [Headers.stream]: id, [name]: value }, body: EMPTY };
}

/** True for a message that ends the sender's direction of a stream (EOS or an error). */
export function isStreamTerminal(header: Record<string, string>): boolean {
  return header[Headers.error] !== undefined;
}

/**
 * The outbound half of a stream's flow control: `take` spends one credit per data message and
 * waits while none is left; the peer's acks `grant` more. `fail` rejects every wait.
 */
export class StreamCredit {
  private credit = STREAM_WINDOW;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private failure?: Error;

  /** Spends one credit: undefined when one was free (the common case), else a promise of one. */
  take(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.credit > 0 && this.waiters.length === 0) {
      this.credit--;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Spends one credit if one is free right now (nobody waits); false otherwise, spending nothing. */
  tryTake(): boolean {
    if (this.failure || this.credit === 0 || this.waiters.length > 0) return false;
    this.credit--;
    return true;
  }

  /** Adds `n` credits from a peer's ack and wakes waiting senders. */
  grant(n: number): void {
    if (!(n > 0) || this.failure) return;
    this.credit = Math.min(this.credit + n, STREAM_WINDOW);
    while (this.credit > 0 && this.waiters.length > 0) {
      this.credit--;
      this.waiters.shift()!.resolve();
    }
  }

  /** Rejects waiting and later takes with `error`. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
  }
}

/**
 * The inbound half: a bounded queue of a stream's data messages, read by async iteration.
 * Each message read counts towards the next ack (`ack(n)` is called every
 * {@link STREAM_ACK_EVERY} reads). `push` refuses a message past the window (the peer ignored
 * flow control); `end` finishes the iteration, with `error` thrown to the reader.
 */
export class StreamInbox {
  private readonly items: Message[] = [];
  private head = 0;
  private done = false;
  private failure?: Error;
  private consumed = 0;
  private waiter?: { resolve: (r: IteratorResult<Message>) => void; reject: (e: Error) => void };

  constructor(private readonly ack: (n: number) => void) {}

  /** Queues a data message; false when the peer sent past the window. */
  push(message: Message): boolean {
    if (this.done) return true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      this.count();
      w.resolve({ value: message, done: false });
      return true;
    }
    if (this.items.length - this.head >= STREAM_WINDOW) return false;
    this.items.push(message);
    return true;
  }

  /** Ends the queue after what is buffered; with `error`, the reader gets it instead of the rest. */
  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    if (error) {
      this.failure = error;
      this.items.length = this.head = 0;
    }
    const w = this.waiter;
    this.waiter = undefined;
    if (w) {
      if (error) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  /** True once `end` was called. */
  get ended(): boolean {
    return this.done;
  }

  /** The next message, or done once the queue ended. */
  next(): Promise<IteratorResult<Message>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head === this.items.length) this.items.length = this.head = 0;
      this.count();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error("a stream is read by one reader at a time"));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  private count(): void {
    if (++this.consumed < STREAM_ACK_EVERY) return;
    const n = this.consumed;
    this.consumed = 0;
    this.ack(n);
  }
}
