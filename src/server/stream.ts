import type { Codec } from "../codec/codec";
import type { HandlerDescriptor } from "../discovery/descriptors";
import { badRequest, ErrorIds, MicroError, timeout, toMicroError } from "../errors";
import { clampDelay } from "../internal/timers";
import { Context } from "../metadata/context";
import { END_OF_STREAM, Headers } from "../transport/headers";
import { StreamCredit, StreamInbox, streamControl, streamSignal } from "../transport/stream-flow";
import type { Message, Socket } from "../transport/transport";
import { decodeRequest, encodeResponse, header, validateFor, type DispatchDeps } from "./dispatch";

const EMPTY = Buffer.alloc(0);

function ignore(): void {}

/**
 * The server side of one stream: feeds the client's messages (decoded and validated one by
 * one) to the handler, sends what the handler yields under the client's flow-control window,
 * and ends with EOS or the handler's error. `end` finishes it from outside (cancel, deadline,
 * connection loss, drain), aborting `ctx.signal` with the reason.
 */
export class ServerStream {
  readonly id: string;
  private readonly endpoint: string;
  private readonly inbox: StreamInbox;
  private readonly credit = new StreamCredit();
  private readonly controller = new AbortController();
  private readonly timer?: NodeJS.Timeout;
  private readonly deadline?: number;
  private ended = false;
  // Every data message carries the same headers: one frozen object lets the transport reuse its encoding.
  private readonly dataHeader: Readonly<Record<string, string>>;

  constructor(
    private readonly deps: DispatchDeps,
    readonly socket: Socket,
    private readonly handler: HandlerDescriptor,
    private readonly codec: Codec,
    private readonly header: Record<string, string>,
    private readonly onDone: (stream: ServerStream) => void,
  ) {
    this.id = header[Headers.stream]!;
    this.endpoint = handler.endpoint;
    const contentType = header[Headers.contentType] ?? "application/json";
    this.dataHeader = Object.freeze({ [Headers.id]: this.id, [Headers.stream]: this.id, [Headers.contentType]: contentType });
    this.inbox = new StreamInbox((n) => {
      if (!this.ended) this.socket.send(streamControl(this.id, Headers.ack, String(n))).catch(ignore);
    });
    const ns = Number(header[Headers.timeout]);
    if (Number.isFinite(ns) && ns > 0) {
      const ms = ns / 1_000_000;
      this.deadline = Date.now() + ms;
      this.timer = setTimeout(() => this.end(timeout(`stream ${this.endpoint} exceeded its deadline of ${Math.round(ms)}ms`)), clampDelay(ms));
    }
  }

  /** One message of this stream from the client. */
  receive(message: Message): void {
    switch (streamSignal(message.header)) {
      case "data":
        if (!this.inbox.push(message)) this.end(badRequest(`stream ${this.id}: the client sent past the flow-control window`));
        return;
      case "ack":
        return this.credit.grant(Number(message.header[Headers.ack]));
      case "cancel":
        return this.end(new MicroError(ErrorIds.cancelled, 499, "the client cancelled the stream"));
      case "end":
        return this.inbox.end();
      case "error":
        return this.inbox.end(MicroError.parse(message.header[Headers.error]!));
    }
  }

  /** Runs the handler to its end; never throws. */
  async run(): Promise<void> {
    const kind = this.handler.stream;
    try {
      const ctx = this.context();
      let body: unknown;
      if (kind === "server") {
        const first = await this.inbox.next();
        if (first.done) throw badRequest(`stream ${this.endpoint} ended before its request message`);
        body = await this.decode(first.value);
      } else {
        body = this.input();
      }
      const h = this.header;
      const chain = this.deps.chains?.get(this.handler) ?? this.deps.chain;
      const result = await chain({ service: this.deps.service, endpoint: this.endpoint, handler: this.handler, header: h, body }, ctx);
      if (kind === "client") await this.sendData(result);
      else await this.pump(result);
      this.end(null);
    } catch (err) {
      if (!MicroError.is(err) && !this.ended) this.deps.logger.error("stream handler failed", { endpoint: this.endpoint, error: String(err) });
      this.end(toMicroError(err));
    }
  }

  /** Ends the stream: EOS when `error` is null, else the error, sent to the client; idempotent. */
  end(error: MicroError | null): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    const h = { [Headers.id]: this.id, [Headers.stream]: this.id, [Headers.error]: error ? error.toHeader() : END_OF_STREAM };
    try {
      this.socket.send({ header: h, body: EMPTY }).catch(ignore);
    } catch {
      // the socket refused synchronously: the client learns from the connection instead
    }
    const reason = error ?? new MicroError(ErrorIds.cancelled, 499, "the stream ended");
    if (error) this.controller.abort(error);
    this.credit.fail(reason);
    this.inbox.end(error ?? undefined);
    this.onDone(this);
  }

  private context(): Context {
    const h = this.header;
    return new Context({
      headers: h,
      deadline: this.deadline,
      signal: this.controller.signal,
      caller: header(h, Headers.fromService),
      service: this.deps.service,
      endpoint: this.endpoint,
      logger: this.deps.logger,
      client: this.deps.client,
    });
  }

  /** The client's messages as the handler reads them: decoded and validated one by one. */
  private input(): AsyncIterable<unknown> {
    // One reaction per message: an async function awaiting the (usually synchronous) decode
    // cost two more microtask turns per message on the bidi hot path.
    const next = (): Promise<IteratorResult<unknown>> => this.inbox.next().then(this.decoded);
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }

  private readonly decoded = (r: IteratorResult<Message>): IteratorResult<unknown> | Promise<IteratorResult<unknown>> => {
    if (r.done) return r;
    const value = this.decode(r.value);
    // Only the slow validation path (class-validator) answers with a promise.
    return value instanceof Promise ? value.then((v: unknown) => ({ value: v, done: false })) : { value, done: false };
  };

  private decode(message: Message): unknown {
    const body = decodeRequest(this.codec, message.body, { type: "request", id: this.id, endpoint: this.endpoint, schema: this.handler.schema?.request });
    return validateFor(this.handler, body, this.deps.forbidNonWhitelisted ?? false);
  }

  private async pump(result: unknown): Promise<void> {
    if (result === null || typeof result !== "object" || !(Symbol.asyncIterator in result || Symbol.iterator in result)) {
      throw new TypeError(`stream handler ${this.endpoint} returned no (async) iterable`);
    }
    for await (const value of result as AsyncIterable<unknown>) {
      if (this.ended) break;
      const wait = this.sendData(value);
      if (wait) await wait;
    }
  }

  /**
   * Sends one response; returns a promise only when it must wait for credit. The transport's
   * own promise is not awaited: the window already bounds what one stream can queue, and a
   * failed write ends the stream.
   */
  private sendData(value: unknown): Promise<void> | undefined {
    const wait = this.credit.take();
    // The credit a wait resolves with is already spent for this message.
    if (wait) return wait.then(() => this.write(value));
    this.write(value);
    return undefined;
  }

  private write(value: unknown): void {
    if (this.ended) return;
    const body = encodeResponse(this.codec, value, { type: "response", id: this.id, endpoint: this.endpoint, schema: this.handler.schema?.response });
    this.socket.send({ header: this.dataHeader, body }).catch(this.onSendError);
  }

  private readonly onSendError = (err: unknown): void => {
    this.end(MicroError.is(err) ? err : new MicroError(ErrorIds.connectionLost, 503, `stream ${this.id}: ${String(err)}`));
  };
}
