import { constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import { badRequest, ErrorIds, MicroError } from "../../errors";
import { END_OF_STREAM, Headers } from "../headers";
import { STREAM_WINDOW, streamSignal } from "../stream-flow";
import { DrainCredit } from "./drain-credit";
import type { Message } from "../transport";
import { frameMessage, MessageReader } from "./framing";
import { callHeaders, isGrpcContentType } from "./metadata";
import { decodeGrpcMessage, GrpcStatus, grpcStatusOfHttp, microErrorOf } from "./status";

const EMPTY = Buffer.alloc(0);

/** Where a client call hands the messages it produces for the client, and says it is finished. */
export interface ClientCallHost {
  deliver(message: Message): void;
  done(call: ClientCall): void;
}

/**
 * One gRPC call from the client: opened by a request message (unary) or a stream's first
 * message, it writes the client's messages as gRPC messages and turns the response, its
 * messages and its trailers back into tsmicro replies (`Micro-Error` for a non-OK status).
 * On a stream, HTTP/2 flow control stands in for the peer's `Micro-Ack`s.
 */
export class ClientCall {
  private readonly stream: ClientHttp2Stream;
  private readonly reader: MessageReader;
  private readonly contentType: string;
  private reply?: Buffer;
  private finished = false;
  // Inbound flow control: delivered to the client but not yet acknowledged, and held back.
  private unacked = 0;
  private held: Buffer[] = [];
  private heldEnd?: Message;
  // Outbound: credit for the local stream as HTTP/2 drains what was written.
  private readonly credit: DrainCredit;

  constructor(
    readonly id: string,
    private readonly streaming: boolean,
    session: ClientHttp2Session,
    authority: string,
    first: Message,
    maxBodyBytes: number,
    private readonly host: ClientCallHost,
  ) {
    this.contentType = first.header[Headers.contentType] ?? "application/json";
    this.reader = new MessageReader(maxBodyBytes);
    this.stream = session.request(callHeaders(first.header, authority), { endStream: false });
    this.credit = new DrainCredit(this.stream, id, (m) => host.deliver(m), () => this.finished);
    this.stream.on("response", (headers) => this.onResponse(headers));
    this.stream.on("data", (chunk: Buffer) => this.onData(chunk));
    this.stream.on("trailers", (trailers) => this.onStatus(trailers));
    this.stream.on("close", () => this.onClose());
    this.stream.on("error", () => undefined); // 'close' follows with the reset code
  }

  /** A message of this call from the client (data, EOS, ack, cancel). */
  send(message: Message): void {
    const h = message.header;
    if (h[Headers.cancel] !== undefined) return this.cancel();
    if (!this.streaming) {
      this.stream.end(frameMessage(message.body));
      return;
    }
    switch (streamSignal(h)) {
      case "data":
        return this.write(message.body);
      case "ack":
        return this.acked(Number(h[Headers.ack]));
      case "end":
        if (!this.stream.writableEnded) this.stream.end();
        return;
      case "error":
        return this.cancel();
      default:
        return;
    }
  }

  /** Resets the call (the caller gave up); nothing more is delivered. */
  cancel(): void {
    if (this.finished) return;
    this.markFinished();
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
  }

  private write(body: Buffer): void {
    if (this.stream.writableEnded) return;
    this.stream.write(frameMessage(body));
    this.credit.wrote();
  }

  private onResponse(headers: IncomingHttpHeaders): void {
    const status = Number(headers[":status"]);
    if (status !== 200) return this.fail(microErrorOf(grpcStatusOfHttp(status), `the node answered HTTP ${status}, not gRPC`));
    if (!isGrpcContentType(headers["content-type"] as string | undefined)) {
      return this.fail(new MicroError(ErrorIds.transportMismatch, 502, `the node answered content-type ${String(headers["content-type"])}, not gRPC`));
    }
    // Trailers-Only: the status came with the headers.
    if (headers["grpc-status"] !== undefined) this.onStatus(headers);
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    const messages = this.reader.push(chunk);
    if (typeof messages === "string") {
      this.fail(messages === "too-large" ? new MicroError(ErrorIds.tooLarge, 413, "response refused: a message is over the client's limit") : badRequest("response refused: compressed messages are not accepted"));
      return this.cancelStream();
    }
    for (const body of messages) {
      if (!this.streaming) {
        if (this.reply !== undefined) {
          this.fail(badRequest("the server sent more than one response to a unary call"));
          return this.cancelStream();
        }
        this.reply = body;
      } else if (this.unacked >= STREAM_WINDOW || this.held.length > 0) {
        this.held.push(body);
        this.stream.pause();
      } else {
        this.forward(body);
      }
    }
  }

  private forward(body: Buffer): void {
    this.unacked++;
    this.host.deliver({ header: { [Headers.id]: this.id, [Headers.stream]: this.id }, body });
  }

  private acked(n: number): void {
    if (!(n > 0)) return;
    this.unacked = Math.max(0, this.unacked - n);
    while (this.held.length > 0 && this.unacked < STREAM_WINDOW) this.forward(this.held.shift()!);
    if (this.held.length > 0) return;
    if (this.heldEnd) {
      const end = this.heldEnd;
      this.heldEnd = undefined;
      this.terminal(end);
    } else {
      this.stream.resume();
    }
  }

  private onStatus(trailers: IncomingHttpHeaders): void {
    if (this.finished) return;
    const status = Number(trailers["grpc-status"]);
    const micro = trailers["micro-error"];
    if (status === GrpcStatus.OK) {
      if (!this.streaming) {
        if (this.reply === undefined) return this.fail(microErrorOf(GrpcStatus.UNIMPLEMENTED, "the server sent no response to a unary call"));
        this.markFinished();
        return this.host.deliver({ header: { [Headers.id]: this.id, [Headers.contentType]: this.contentType }, body: this.reply });
      }
      return this.end({ header: { [Headers.id]: this.id, [Headers.stream]: this.id, [Headers.error]: END_OF_STREAM }, body: EMPTY });
    }
    const error = typeof micro === "string" ? MicroError.parse(micro) : microErrorOf(Number.isInteger(status) ? status : GrpcStatus.UNKNOWN, decodeGrpcMessage(String(trailers["grpc-message"] ?? "")));
    this.fail(error);
  }

  private fail(error: MicroError): void {
    if (this.finished) return;
    const header: Record<string, string> = { [Headers.id]: this.id, [Headers.error]: error.toHeader() };
    if (this.streaming) header[Headers.stream] = this.id;
    // An error overtakes the messages still held back: the stream failed.
    this.held = [];
    this.markFinished();
    this.host.deliver({ header, body: EMPTY });
  }

  /** The stream's end, after the messages held back for flow control. */
  private end(message: Message): void {
    if (this.held.length > 0) {
      this.heldEnd = message;
      return;
    }
    this.terminal(message);
  }

  private terminal(message: Message): void {
    if (this.finished) return;
    this.markFinished();
    this.host.deliver(message);
  }

  private onClose(): void {
    if (this.finished || this.heldEnd) return;
    const code = this.stream.rstCode;
    if (code === constants.NGHTTP2_REFUSED_STREAM) {
      return this.fail(new MicroError(ErrorIds.connection, 503, "the node refused the call before handling it (REFUSED_STREAM)"));
    }
    if (code === constants.NGHTTP2_CANCEL) return this.fail(microErrorOf(GrpcStatus.CANCELLED, "the node cancelled the call"));
    this.fail(new MicroError(ErrorIds.connectionLost, 503, `the call ended without a status (HTTP/2 code ${code ?? "none"})`));
  }

  private cancelStream(): void {
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
  }

  private markFinished(): void {
    this.finished = true;
    this.host.done(this);
  }
}
