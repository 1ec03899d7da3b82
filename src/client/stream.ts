import { randomUUID } from "node:crypto";
import type { Codec } from "../codec/codec";
import type { MethodSchema } from "../codec/schema";
import { encodeRequest } from "./encode";
import { conflict, ErrorIds, MicroError, timeout } from "../errors";
import { clampDelay } from "../internal/timers";
import { END_OF_STREAM, Headers } from "../transport/headers";
import { StreamCredit, StreamInbox, streamControl, streamSignal } from "../transport/stream-flow";
import type { Message } from "../transport/transport";
import type { ClientConnection, StreamSink } from "./connection";

/**
 * One open stream to a handler: `send` messages, `close` the sending side (half-close),
 * read the responses by async iteration or `recv`, and `cancel` it. Every kind of stream
 * (server, client, bidirectional) is this one object; the handler decides which sides it uses.
 */
export interface ClientStream<Req = unknown, Res = unknown> extends AsyncIterable<Res> {
  /** The stream id, sent as `Micro-Stream` and `Micro-Id`. */
  readonly id: string;
  /** Sends one message; waits while the peer's window is full; rejects once the stream ended. */
  send(message: Req): Promise<void>;
  /** Ends the sending side (an EOS message); responses keep arriving. Idempotent. */
  close(): Promise<void>;
  /** The next response, or undefined at the end of the stream; rejects with the stream's error. */
  recv(): Promise<Res | undefined>;
  /** Ends the stream at once: the server's `ctx.signal` aborts, readers get 499 `tsmicro.cancelled`. */
  cancel(reason?: string): void;
}

/** What a client stream needs from the client that opened it. */
export interface ClientStreamDeps {
  /** Selects a node and resolves with a connection to it. */
  connect(): Promise<ClientConnection>;
  /** The opening message's base headers: metadata, `Micro-From-Service`, `traceparent`. */
  header(): Record<string, string>;
  codec: Codec;
  contentType: string;
  /** The endpoint's `.proto` method, when known. */
  schema?: MethodSchema;
  /** The whole stream's budget, ms (already clamped to what a timer holds). */
  timeoutMs: number;
  signal?: AbortSignal;
}

function ignore(): void {}

/** The client side of one stream over a pooled connection (see docs/streams.md). */
export class RpcClientStream<Req = unknown, Res = unknown> implements ClientStream<Req, Res>, StreamSink {
  readonly id = randomUUID();
  private readonly inbox: StreamInbox;
  private readonly credit = new StreamCredit();
  private readonly ready: Promise<ClientConnection>;
  private readonly timer: NodeJS.Timeout;
  private readonly deadline: number;
  private conn?: ClientConnection;
  private tail: Promise<void> = Promise.resolve();
  private opened = false;
  // Sends waiting in `tail` (for the connection, for credit or behind each other).
  private queued = 0;
  // False while a send that skipped the queue has not settled.
  private idle = true;
  private readonly markIdle = (): void => {
    this.idle = true;
  };
  private sendClosed = false;
  private dataHeader?: Record<string, string>;
  // undefined while open; null once the server ended it with EOS; the error otherwise.
  private finished: MicroError | null | undefined;

  constructor(
    private readonly service: string,
    private readonly endpoint: string,
    private readonly deps: ClientStreamDeps,
  ) {
    this.deadline = Date.now() + deps.timeoutMs;
    this.inbox = new StreamInbox((n) => this.control(Headers.ack, String(n)));
    this.timer = setTimeout(() => this.abort(timeout(`stream ${service}.${endpoint} timed out after ${deps.timeoutMs}ms`)), clampDelay(deps.timeoutMs));
    deps.signal?.addEventListener("abort", this.onAbort, { once: true });
    if (deps.signal?.aborted) queueMicrotask(this.onAbort);
    this.ready = deps.connect().then((conn) => {
      if (this.finished !== undefined) throw this.finished ?? conflict("stream ended");
      conn.attach(this.id, this);
      this.conn = conn;
      return conn;
    });
    this.ready.catch((err: unknown) => this.finish(MicroError.is(err) ? err : new MicroError(ErrorIds.connection, 503, String(err))));
  }

  send(message: Req): Promise<void> {
    if (this.sendClosed) return Promise.reject(conflict(`stream ${this.id} is closed for sending`));
    if (this.finished !== undefined) return Promise.reject(this.finished ?? conflict(`stream ${this.id} was ended by the server`));
    let body: Buffer;
    try {
      body = encodeRequest(this.deps.codec, message, { type: "request", id: this.id, endpoint: this.endpoint, schema: this.deps.schema?.request });
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.enqueue(body, true);
  }

  close(): Promise<void> {
    if (this.sendClosed || this.finished !== undefined) return Promise.resolve();
    this.sendClosed = true;
    return this.enqueue(Buffer.alloc(0), false).catch(ignore);
  }

  async recv(): Promise<Res | undefined> {
    const r = await this.inbox.next();
    return r.done ? undefined : this.decode(r.value);
  }

  cancel(reason = "the caller cancelled the stream"): void {
    this.abort(new MicroError(ErrorIds.cancelled, 499, reason));
  }

  [Symbol.asyncIterator](): AsyncIterator<Res> {
    return {
      next: async (): Promise<IteratorResult<Res>> => {
        const r = await this.inbox.next();
        return r.done ? { value: undefined, done: true } : { value: this.decode(r.value), done: false };
      },
      // Leaving a for-await loop early means the caller wants no more: cancel.
      return: (): Promise<IteratorResult<Res>> => {
        if (this.finished === undefined) this.cancel("the caller stopped reading the stream");
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** A message of this stream from the server. */
  message(message: Message): void {
    switch (streamSignal(message.header)) {
      case "data":
        if (!this.inbox.push(message)) this.abort(new MicroError(ErrorIds.badRequest, 400, `stream ${this.id}: the server sent past the flow-control window`));
        return;
      case "ack":
        return this.credit.grant(Number(message.header[Headers.ack]));
      case "end":
        return this.finish(null);
      case "error":
        return this.finish(MicroError.parse(message.header[Headers.error]!));
      default:
        return;
    }
  }

  /** The connection closed under the stream. */
  closed(error: MicroError): void {
    const lost = this.opened && error.id === ErrorIds.connection;
    this.finish(lost ? new MicroError(ErrorIds.connectionLost, 503, `stream ${this.id}: ${error.detail}`, { cause: error }) : error);
  }

  private readonly onAbort = (): void => {
    const reason: unknown = this.deps.signal?.reason;
    this.abort(MicroError.is(reason) ? reason : new MicroError(ErrorIds.cancelled, 499, "the caller's signal aborted the stream"));
  };

  /** Ends the stream here and tells the server (once the opening message went out). */
  private abort(error: MicroError): void {
    if (this.finished !== undefined) return;
    this.finish(error);
    const cancel = (): Promise<void> | undefined => {
      if (this.opened && this.conn) return this.conn.send(streamControl(this.id, Headers.cancel, "1")).catch(ignore);
    };
    // Nothing in line: cancel now (the connection may be closing right after this call).
    if (this.queued === 0) void cancel();
    else this.tail = this.tail.then(cancel);
  }

  private finish(error: MicroError | null): void {
    if (this.finished !== undefined) return;
    this.finished = error;
    clearTimeout(this.timer);
    this.deps.signal?.removeEventListener("abort", this.onAbort);
    this.credit.fail(error ?? conflict(`stream ${this.id} was ended by the server`));
    this.inbox.end(error ?? undefined);
    this.conn?.detach(this.id);
  }

  /** Queues a data message (or, with `data` false, the EOS) behind the earlier ones. */
  private enqueue(body: Buffer, data: boolean): Promise<void> {
    // The common case, nothing in line, connected, credit free: send now (same order, no chain).
    // (Only once the previous send settled: over http each send is a request of its own, and two
    // in flight at once could arrive in either order.)
    if (this.queued === 0 && this.idle && this.conn && this.opened && this.finished === undefined && (!data || this.credit.tryTake())) {
      const sent = this.conn.send({ header: this.header(data), body });
      this.idle = false;
      this.tail = sent.then(this.markIdle, this.markIdle);
      return sent;
    }
    this.queued++;
    const p = this.tail.then(async () => {
      const conn = await this.ready;
      if (data) {
        const wait = this.credit.take();
        if (wait) await wait;
      }
      if (this.finished !== undefined) throw this.finished ?? conflict(`stream ${this.id} was ended by the server`);
      await conn.send({ header: this.header(data), body });
    });
    this.tail = p.catch(ignore).finally(() => {
      this.queued--;
      this.idle = true;
    });
    return p;
  }

  private header(data: boolean): Record<string, string> {
    // Every later data message carries the same frozen object: the transport reuses its encoding.
    if (this.opened && data) return (this.dataHeader ??= Object.freeze({ [Headers.id]: this.id, [Headers.stream]: this.id }));
    let header: Record<string, string>;
    if (this.opened) {
      header = { [Headers.id]: this.id, [Headers.stream]: this.id };
    } else {
      this.opened = true;
      header = this.deps.header();
      header[Headers.service] = this.service;
      header[Headers.endpoint] = this.endpoint;
      header[Headers.id] = this.id;
      header[Headers.stream] = this.id;
      header[Headers.contentType] = this.deps.contentType;
      header[Headers.timeout] = String(Math.max(1, this.deadline - Date.now()) * 1_000_000);
    }
    if (!data) header[Headers.error] = END_OF_STREAM;
    return header;
  }

  private control(name: string, value: string): void {
    if (this.finished !== undefined || !this.conn) return;
    this.conn.send(streamControl(this.id, name, value)).catch(ignore);
  }

  private decode(message: Message): Res {
    const codec = this.deps.codec;
    try {
      return codec.unmarshal(message.body, { type: "response", id: this.id, endpoint: this.endpoint, schema: this.deps.schema?.response }) as Res;
    } catch (err) {
      const error = new MicroError(ErrorIds.malformed, 500, `malformed stream message: ${String(err)}`);
      this.abort(error);
      throw error;
    }
  }
}
