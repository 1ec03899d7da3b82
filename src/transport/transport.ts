import { SETTLED } from "../internal/settled";
import type { Root } from "protobufjs";

/**
 * The unit a transport carries: string headers and an opaque body. Requests, responses, stream
 * frames and events are all messages; `Micro-Id` and `Micro-Stream` headers correlate them, so
 * one socket can carry many concurrent exchanges.
 */
export interface Message {
  header: Record<string, string>;
  body: Buffer;
}

/**
 * A bidirectional message pipe to one peer. On the client side `send` resolves once the message
 * was handed to the peer (for HTTP: once its reply arrived) and rejects with a 503-class
 * MicroError when it could not be delivered; replies arrive through `onMessage`.
 */
/**
 * What a socket's `send` may return when the message was queued before `send` returned (the
 * tcp transport under its queue bound): a caller that only waits for "queued" can skip a
 * promise reaction per message by comparing with it.
 */
export const QUEUED: Promise<void> = SETTLED;

export interface Socket {
  readonly local: string;
  readonly remote: string;
  /**
   * True when the messages of one stream may arrive over other sockets of the same listener
   * (http: a POST per message over any pooled connection), so this socket closing does not
   * end the streams opened on it. Default false: a stream lives and dies with its socket.
   */
  readonly connectionless?: boolean;
  send(message: Message): Promise<void>;
  /** Sets the handler for messages from the peer (one handler per socket). */
  onMessage(handler: (message: Message) => void): void;
  /** Sets the handler called once when the socket closes; `error` says why if it failed. */
  onClose(handler: (error?: Error) => void): void;
  /** Closes the socket; idempotent. */
  close(): Promise<void>;
  /** A dialed socket whose peer takes no new requests on it (tcp GOAWAY) says so here; new calls dial afresh. */
  readonly draining?: boolean;
}

/** A listening endpoint; `close` stops accepting and closes idle connections. */
export interface Listener {
  /** The bound `host:port`. */
  readonly address: string;
  /** Stops accepting new connections and requests; resolves once every socket is closed. */
  close(): Promise<void>;
}

/** How an endpoint exchanges messages: one request and one reply, or a stream of one of three kinds. */
export type EndpointKind = "unary" | "server" | "client" | "bidi";

/**
 * What a listener may learn about the endpoints its server routes. Transports that carry the
 * exchange kind outside the message (gRPC: a path per method, no stream header) need it; the
 * others ignore it.
 */
export interface EndpointCatalog {
  /** The served service's name (`greeter`). */
  readonly service: string;
  /** The kind of `endpoint` (`Greeter.Hello`), or undefined when the server routes no such endpoint. */
  kind(endpoint: string): EndpointKind | undefined;
  /** Every routed endpoint name, internal ones included. */
  names(): string[];
  /** The gRPC path of `endpoint` when its types come from a `.proto` (`/greeter.Greeter/Hello`); undefined otherwise. */
  grpcPath?(endpoint: string): string | undefined;
  /** The `.proto` types behind the handlers (server reflection serves their files); undefined when there are none. */
  protoRoot?(): Root | undefined;
}

/** Options for `listen`. */
export interface ListenOptions {
  /** The endpoints the accepting server routes; default: unknown (every exchange is taken as it comes). */
  catalog?: EndpointCatalog;
  /** Largest message body accepted, in bytes; larger ones are refused with a 413. */
  maxBodyBytes?: number;
  /** How long `close` waits for open connections before destroying them, in ms. */
  closeTimeoutMs?: number;
}

/** Options for `dial`. */
export interface DialOptions {
  /** How long connecting may take, in ms. */
  timeoutMs?: number;
}

/** Moves messages between processes. */
export interface Transport {
  readonly name: string;
  /** Listens on `address` (`host:port`, port 0 for any) and hands each new socket to `accept`. */
  listen(address: string, accept: (socket: Socket) => void, options?: ListenOptions): Promise<Listener>;
  /** Opens a socket to `address`. */
  dial(address: string, options?: DialOptions): Promise<Socket>;
  /** Releases pooled connections; idempotent. */
  close(): Promise<void>;
}
