import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { badRequest, MicroError, payloadTooLarge } from "../../errors";
import { END_OF_STREAM, Headers } from "../headers";
import { STREAM_WINDOW, streamSignal } from "../stream-flow";
import { DrainCredit } from "./drain-credit";
import type { EndpointKind, Message } from "../transport";
import { frameMessage, MessageReader } from "./framing";
import { requestHeader } from "./metadata";
import { errorTrailers, OK_TRAILERS } from "./trailers";

const EMPTY = Buffer.alloc(0);

/** Where a call hands messages for the server and says it is finished. */
export interface CallHost {
  deliver(message: Message): void;
  done(call: ServerCall): void;
}

/**
 * One gRPC call on the server: turns the HTTP/2 stream's messages into tsmicro messages (one
 * request for a unary endpoint; `Micro-Stream` messages, flow-controlled by the server's
 * `Micro-Ack`s, for a streaming one) and the server's replies back into gRPC responses and
 * trailers. A stream reset by the client becomes a `Micro-Cancel`.
 */
export class ServerCall {
  private readonly reader: MessageReader;
  private readonly streaming: boolean;
  private readonly header: Record<string, string>;
  private readonly contentType: string;
  private first?: Buffer;
  private count = 0;
  private opened = false;
  private responded = false;
  private finished = false;
  // Inbound flow control (streams): delivered but not yet acknowledged by the server, and held back.
  private unacked = 0;
  private held: Buffer[] = [];
  private inputEnded = false;
  // Outbound: credit for the local stream as HTTP/2 drains what was written.
  private readonly credit: DrainCredit;

  constructor(
    readonly id: string,
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    endpoint: string,
    kind: EndpointKind,
    maxBodyBytes: number,
    private readonly host: CallHost,
  ) {
    this.streaming = kind !== "unary";
    this.contentType = String(headers["content-type"]);
    this.header = requestHeader(headers, endpoint, id);
    this.reader = new MessageReader(maxBodyBytes);
    this.credit = new DrainCredit(this.stream, id, (m) => host.deliver(m), () => this.finished);
    if (this.streaming) {
      // The stream opens with the call, before any message: a handler may speak first, and the deadline runs from now.
      this.opened = true;
      host.deliver({ header: { ...this.header, [Headers.stream]: id, [Headers.streamOpen]: "1" }, body: EMPTY });
    }
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("end", () => this.onEnd());
    stream.on("close", () => this.onClose());
    stream.on("error", () => undefined); // 'close' follows and says what happened
  }

  /** A message from the server for this call. */
  send(message: Message): void {
    if (this.finished) return;
    const h = message.header;
    if (!this.streaming) {
      const error = h[Headers.error];
      return error === undefined ? this.reply(message.body) : this.fail(MicroError.parse(error));
    }
    switch (streamSignal(h)) {
      case "data":
        return this.write(message.body);
      case "ack":
        return this.acked(Number(h[Headers.ack]));
      case "end":
        return this.end(null);
      case "error":
        return this.end(MicroError.parse(h[Headers.error]!));
      default:
        return;
    }
  }

  /** Ends the call with `error` (the listener is closing, or the request was refused). */
  fail(error: MicroError): void {
    this.end(error);
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    const messages = this.reader.push(chunk);
    if (typeof messages === "string") {
      return this.fail(messages === "too-large" ? payloadTooLarge(`a message of the call is over the server's limit`) : badRequest("compressed messages are not accepted (grpc-accept-encoding: identity)"));
    }
    for (const body of messages) this.received(body);
  }

  private received(body: Buffer): void {
    if (!this.streaming) {
      if (++this.count > 1) return this.fail(badRequest("a unary call sent more than one request message"));
      this.first = body;
      return;
    }
    if (this.unacked >= STREAM_WINDOW || this.held.length > 0) {
      this.held.push(body);
      this.stream.pause();
      return;
    }
    this.forward(body);
  }

  private forward(body: Buffer): void {
    this.unacked++;
    this.host.deliver({ header: { [Headers.id]: this.id, [Headers.stream]: this.id }, body });
  }

  private acked(n: number): void {
    if (!(n > 0)) return;
    this.unacked = Math.max(0, this.unacked - n);
    while (this.held.length > 0 && this.unacked < STREAM_WINDOW) this.forward(this.held.shift()!);
    if (this.held.length === 0) {
      if (this.inputEnded) this.endInput();
      else this.stream.resume();
    }
  }

  private onEnd(): void {
    if (this.finished) return;
    if (this.reader.partial) return this.fail(badRequest("the request ended in the middle of a message"));
    if (!this.streaming) {
      if (this.first === undefined) return this.fail(badRequest("a unary call sent no request message"));
      this.opened = true;
      return this.host.deliver({ header: this.header, body: this.first });
    }
    this.inputEnded = true;
    if (this.held.length === 0) this.endInput();
  }

  private endInput(): void {
    this.inputEnded = false;
    this.host.deliver({ header: { [Headers.id]: this.id, [Headers.stream]: this.id, [Headers.error]: END_OF_STREAM }, body: EMPTY });
  }

  private onClose(): void {
    // Only now is the call gone from the connection: its trailers are out (or it was reset).
    this.host.done(this);
    if (this.finished) return;
    this.finished = true;
    if (!this.opened) return;
    // The client reset the stream (cancelled, its deadline passed) or the connection went: stop the work.
    const header: Record<string, string> = { [Headers.id]: this.id, [Headers.cancel]: "1" };
    if (this.streaming) header[Headers.stream] = this.id;
    this.host.deliver({ header, body: EMPTY });
  }

  private respond(): void {
    if (this.responded) return;
    this.responded = true;
    this.stream.respond({ ":status": 200, "content-type": this.contentType }, { waitForTrailers: true });
  }

  private reply(body: Buffer): void {
    this.respond();
    this.finish(OK_TRAILERS);
    this.stream.end(frameMessage(body));
  }

  private write(body: Buffer): void {
    this.respond();
    this.stream.write(frameMessage(body));
    this.credit.wrote();
  }

  private end(error: MicroError | null): void {
    if (this.finished) return;
    const trailers = error === null ? OK_TRAILERS : errorTrailers(error);
    if (this.stream.destroyed || this.stream.closed) return;
    if (this.responded) {
      this.finish(trailers);
      this.stream.end();
    } else {
      // Trailers-Only: the status rides on the response headers.
      this.responded = true;
      this.markFinished();
      this.stream.respond({ ":status": 200, "content-type": this.contentType, ...trailers }, { endStream: true });
    }
    // A client still sending has nothing more to say that matters.
    if (!this.stream.readableEnded) this.stream.resume();
  }

  private finish(trailers: Readonly<Record<string, string | string[] | number | undefined>>): void {
    this.markFinished();
    this.stream.once("wantTrailers", () => {
      if (!this.stream.destroyed) this.stream.sendTrailers(trailers);
    });
  }

  private markFinished(): void {
    this.finished = true;
  }
}

/** Ends `stream` at once with `error` as a Trailers-Only response (a call that never reached the server). */
export function refuse(stream: ServerHttp2Stream, contentType: string, error: MicroError): void {
  stream.on("error", () => undefined);
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ":status": 200, "content-type": contentType, ...errorTrailers(error) }, { endStream: true });
  stream.resume();
}

/** Answers a request that is not gRPC at all with a plain HTTP status. */
export function refuseHttp(stream: ServerHttp2Stream, status: number): void {
  stream.on("error", () => undefined);
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ":status": status }, { endStream: true });
  stream.resume();
}
