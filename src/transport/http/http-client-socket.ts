import { request, type ClientRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { clampDelay } from "../../internal/timers";
import { badRequest, ErrorIds, MicroError } from "../../errors";
import type { Logger } from "../../logger/logger";
import { CANCEL_TIMEOUT, Headers } from "../headers";
import type { Message, Socket } from "../transport";
import { joinHostPort, type HostPort } from "../../internal/address";
import { DialAgent } from "../../internal/http/dial-agent";
import { connectionError, endWith, headerList, readHeaders, statusError } from "../../internal/http/wire";
import { POLL_HEADER } from "./stream-mailboxes";
import { ErrorIds as Ids } from "../../errors/codes";

/** How one dialed socket behaves (resolved from transport and dial options). */
export interface HttpDialConfig {
  maxSockets: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Largest response body accepted, in bytes; a larger one fails the call and drops the connection. */
  maxResponseBytes: number;
  logger?: Logger;
}

const kCall = Symbol("tsmicro.http.call");
const EMPTY = Buffer.alloc(0);

/** One message in flight; kept on the request and response so the event handlers need no closures. */
interface Call {
  readonly socket: HttpClientSocket;
  readonly req: ClientRequest;
  readonly id: string | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly chunks: Buffer[];
  size: number;
  responding: boolean;
  done: boolean;
}

type TaggedRequest = ClientRequest & { [kCall]?: Call };
type TaggedResponse = IncomingMessage & { [kCall]?: Call };

/**
 * The client side of the HTTP transport: each `send` is one `POST /` over a pool of keep-alive
 * connections to one address, and its response is delivered through `onMessage`.
 */
export class HttpClientSocket implements Socket {
  readonly local = "";
  readonly remote: string;
  private readonly agent: DialAgent;
  // The options of every request (node:http copies them): only `headers` changes per request.
  private readonly requestOptions: RequestOptions & { headers: string[] };
  // The Host header node:http would add itself, given explicitly since headers go as a list.
  private readonly host: string;
  private handler?: (message: Message) => void;
  private closeHandler?: (error?: Error) => void;
  private closed = false;
  // Requests awaiting their response, by Micro-Id, so a cancel can abort one. A null-prototype
  // dictionary rather than a Map: cheaper in garbage collection under load (see server/cancellation.ts).
  readonly inflight: Record<string, ClientRequest> = Object.create(null) as Record<string, ClientRequest>;
  // Streams this socket polls for the server's messages (one poll in flight each).
  private readonly polls = new Set<string>();

  constructor(
    address: string,
    target: HostPort,
    private readonly config: HttpDialConfig,
    private readonly onClosed: (socket: HttpClientSocket) => void,
  ) {
    this.remote = address;
    // Only what node:http's defaults do not already say: the agent copies its options into
    // every request's options (scheduling is "lifo" by default).
    this.agent = new DialAgent({ keepAlive: true, maxSockets: config.maxSockets, timeout: clampDelay(config.idleTimeoutMs) }, config.connectTimeoutMs);
    // Every connection of the pool may stay pooled (read per freed socket, not from the options).
    this.agent.maxFreeSockets = config.maxSockets;
    this.host = joinHostPort(target.host, target.port);
    this.requestOptions = { agent: this.agent, host: target.host, port: target.port, method: "POST", path: "/", headers: [] };
  }

  send(message: Message): Promise<void> {
    // HTTP/1.1 cannot cancel one request on a connection: aborting it closes that connection,
    // which the server takes as the cancel. Nothing is POSTed.
    const cancel = message.header[Headers.cancel];
    if (cancel !== undefined) {
      // A call past its deadline: the server holds the same deadline (the Timeout header) and
      // answers with its own 408, so the connection need not be sacrificed to tell it.
      if (cancel === CANCEL_TIMEOUT && message.header[Headers.stream] === undefined) return Promise.resolve();
      return this.abort(message.header[Headers.id]);
    }
    if (this.closed) return Promise.reject(connectionError(this.remote, "socket closed"));
    const stream = message.header[Headers.stream];
    const sent = this.post(message);
    if (stream !== undefined) this.trackStream(stream, message.header, sent);
    return sent;
  }

  /** Starts polling for a stream's messages once its first message arrived; a cancel stops it. */
  private trackStream(stream: string, header: Record<string, string>, sent: Promise<void>): void {
    if (header[Headers.cancel] !== undefined) {
      this.polls.delete(stream);
    } else if (header[Headers.endpoint] !== undefined && !this.polls.has(stream)) {
      this.polls.add(stream);
      // Not before: a poll overtaking the opening message would find no such stream.
      sent.then(
        () => this.polls.has(stream) && !this.closed && this.poll(stream),
        () => this.polls.delete(stream),
      );
    }
  }

  /** One poll of `stream`; the next goes out once it was answered, until the stream ends. */
  private poll(stream: string): void {
    const header = { [Headers.id]: stream, [Headers.stream]: stream, [POLL_HEADER]: "1" };
    this.post({ header, body: EMPTY }).then(
      () => {
        if (this.polls.has(stream) && !this.closed) this.poll(stream);
      },
      (err: unknown) => {
        if (!this.polls.delete(stream)) return;
        const lost = new MicroError(Ids.connectionLost, 503, `stream ${stream}: lost ${this.remote}: ${MicroError.is(err) ? err.detail : String(err)}`);
        this.deliver({ header: { [Headers.id]: stream, [Headers.stream]: stream, [Headers.error]: lost.toHeader() }, body: EMPTY });
      },
    );
  }

  private post(message: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let req: TaggedRequest;
      try {
        this.requestOptions.headers = headerList(message.header, message.body.length, false, this.host);
        req = request(this.requestOptions);
      } catch (err) {
        reject(badRequest(`invalid message header: ${(err as Error).message}`));
        return;
      }
      const id = message.header[Headers.id];
      req[kCall] = { socket: this, req, id, resolve, reject, chunks: [], size: 0, responding: false, done: false };
      if (id !== undefined) this.inflight[id] = req;
      req.on("response", onResponse);
      req.on("error", onRequestError);
      endWith(req, message.body);
    });
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
    if (this.closed) queueMicrotask(() => handler());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.polls.clear();
    this.agent.destroy();
    this.onClosed(this);
    try {
      this.closeHandler?.();
    } catch (err) {
      this.config.logger?.error("http transport: close handler threw", { remote: this.remote, error: String(err) });
    }
  }

  /** Aborts the request `id` awaits (its connection is destroyed, so it is not reused); a finished one is left alone. */
  private abort(id: string | undefined): Promise<void> {
    const req = id === undefined ? undefined : this.inflight[id];
    if (req !== undefined) {
      delete this.inflight[id!];
      req.destroy();
    }
    return Promise.resolve();
  }

  /** Largest response body accepted, in bytes. */
  get maxResponseBytes(): number {
    return this.config.maxResponseBytes;
  }

  /** Hands a received reply to the message handler. */
  deliver(message: Message): void {
    const stream = message.header[Headers.stream];
    if (stream !== undefined && message.header[Headers.error] !== undefined) this.polls.delete(stream);
    try {
      this.handler?.(message);
    } catch (err) {
      this.config.logger?.error("http transport: message handler threw", { remote: this.remote, error: String(err) });
    }
  }
}

/** Marks `call` settled and forgets its request (no `close` listener per request needed for that). */
function settle(call: Call): void {
  call.done = true;
  const { socket, id } = call;
  if (id !== undefined && socket.inflight[id] === call.req) delete socket.inflight[id];
}

/** `lost`: the request was fully written, so the handler may have run (503 tsmicro.connection_lost, not retried blind). */
function fail(call: Call, cause: unknown, lost: boolean): void {
  if (call.done) return;
  settle(call);
  const error = connectionError(call.socket.remote, cause);
  call.reject(lost ? new MicroError(ErrorIds.connectionLost, 503, `${error.detail} after the request was sent`, { cause }) : error);
}

function onRequestError(this: TaggedRequest, err: Error): void {
  const call = this[kCall]!;
  // Once the response is arriving it decides; a late write error (say, the server refused an
  // oversized body and closed) must not hide it.
  if (!call.responding) fail(call, err, this.writableFinished);
}

function onResponse(this: TaggedRequest, res: IncomingMessage): void {
  const call = this[kCall]!;
  call.responding = true;
  (res as TaggedResponse)[kCall] = call;
  const declared = Number(res.headers["content-length"] ?? -1);
  if (declared > call.socket.maxResponseBytes) return refuseResponse(res, call, declared);
  res.on("data", onResponseData);
  res.on("end", onResponseEnd);
  // No `error` listener: node emits none on a response nobody listens to for errors, and a
  // response cut short ends in `close` before `end`, which fails the call.
  res.on("close", onResponseClose);
}

function onResponseData(this: TaggedResponse, chunk: Buffer): void {
  const call = this[kCall]!;
  call.size += chunk.length;
  if (call.size > call.socket.maxResponseBytes) return refuseResponse(this, call, call.size);
  call.chunks.push(chunk);
}

/** Fails the call whose response is over the limit; destroying the response frees its connection for good. */
function refuseResponse(res: IncomingMessage, call: Call, bytes: number): void {
  const limit = call.socket.maxResponseBytes;
  const what = res.headers["content-length"] === undefined ? `more than ${limit} bytes` : `${bytes} bytes`;
  call.chunks.length = 0;
  if (!call.done) {
    settle(call);
    call.reject(new MicroError(ErrorIds.tooLarge, 500, `reply from ${call.socket.remote} of ${what} is over this client's limit of ${limit} bytes (maxResponseBytes)`));
  }
  res.destroy();
}

function onResponseEnd(this: TaggedResponse): void {
  const call = this[kCall]!;
  if (call.done) return;
  settle(call);
  const header: Record<string, string> = {};
  readHeaders(this.rawHeaders, header);
  const { chunks } = call;
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, call.size);
  const status = this.statusCode ?? 0;
  // A stream message was taken (what the server sends comes on polls), or a poll found nothing new.
  if (status === 204) return call.resolve();
  if (status !== 200 && header[Headers.error] === undefined) {
    header[Headers.error] = statusError(call.socket.remote, status, this.statusMessage ?? "", body).toHeader();
  }
  // Peers that do not echo Micro-Id still answer this request: correlate the reply with it.
  if (header[Headers.id] === undefined && call.id !== undefined) header[Headers.id] = call.id;
  call.socket.deliver({ header, body });
  call.resolve();
}

function onResponseClose(this: TaggedResponse): void {
  const call = this[kCall]!;
  if (!call.done) fail(call, Object.assign(new Error("connection closed mid-response"), { code: "ECONNRESET" }), true);
}
