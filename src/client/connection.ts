import { ErrorIds, MicroError, serviceUnavailable } from "../errors";
import { CANCEL_TIMEOUT, Headers } from "../transport/headers";
import { QUEUED, type Message, type Socket } from "../transport/transport";
import type { CallState } from "./call-state";

const EMPTY = Buffer.alloc(0);
const ignore = (): void => undefined;

/** Where a stream's messages go: its messages from the peer, and the socket's close. */
export interface StreamSink {
  message(message: Message): void;
  closed(error: MicroError): void;
  /** Ends the stream and tells the peer (the connection is being closed on purpose). */
  cancel(reason: string): void;
}

interface Pending {
  resolve(m: Message): void;
  reject(e: Error): void;
  state: CallState | undefined;
}

/**
 * One dialed socket plus the table of requests waiting for replies, correlated by `Micro-Id`.
 * When the socket closes every pending request fails at once with 503 `tsmicro.connection_lost`
 * (it was handed to the socket, so the handler may have run); a send that fails stays
 * `tsmicro.connection` (never delivered).
 */
export class ClientConnection {
  private readonly pending = new Map<string, Pending>();
  private readonly streams = new Map<string, StreamSink>();

  constructor(
    readonly address: string,
    private readonly socket: Socket,
    onClosed: () => void,
  ) {
    socket.onMessage((m) => this.deliver(m));
    socket.onClose((err) => {
      onClosed();
      // A transport that knows why (say, the node speaks another transport) closes with a MicroError;
      // otherwise the request was sent and its reply never came: not provably undelivered.
      const cause = MicroError.is(err) ? err : serviceUnavailable(`connection to ${address} closed while waiting for the reply${err ? `: ${err.message}` : ""}`, ErrorIds.connectionLost);
      for (const p of this.pending.values()) this.settle(p, undefined, cause);
      this.pending.clear();
      for (const s of this.streams.values()) s.closed(cause);
      this.streams.clear();
    });
  }

  /** Sends `message` and resolves with the reply carrying the same `Micro-Id`; `state` cancels it. */
  request(message: Message, state?: CallState): Promise<Message> {
    const id = message.header[Headers.id]!;
    return new Promise<Message>((resolve, reject) => {
      if (state?.error) return reject(state.error);
      const p: Pending = { resolve, reject, state };
      this.pending.set(id, p);
      state?.onCancel(() => {
        if (this.pending.get(id) !== p) return;
        this.pending.delete(id);
        reject(state.error!);
        this.cancel(id, MicroError.is(state.error) && state.error.code === 408 ? CANCEL_TIMEOUT : "1");
      });
      const sent = this.socket.send(message);
      if (sent === QUEUED) return; // nothing can fail any more: no reaction needed
      sent.catch((err: unknown) => {
        if (this.pending.get(id) !== p) return;
        this.pending.delete(id);
        this.settle(p, undefined, MicroError.is(err) ? err : serviceUnavailable(`send to ${this.address} failed: ${String(err)}`, ErrorIds.connection));
      });
    });
  }

  /** Closes the socket; calls still waiting fail with a 503 and the server is told to stop their work. */
  close(): Promise<void> {
    // A stream cannot go on without this connection: say so to the server before closing.
    for (const s of [...this.streams.values()]) s.cancel("the client closed the connection");
    if (this.pending.size > 0) {
      const error = serviceUnavailable(`the client closed its connection to ${this.address} while the call waited`);
      for (const [id, p] of this.pending) {
        this.cancel(id);
        this.settle(p, undefined, error);
      }
      this.pending.clear();
    }
    return this.socket.close();
  }

  /** True once the peer said it takes no new requests here (tcp GOAWAY): new calls need a new connection. */
  get draining(): boolean {
    return this.socket.draining === true;
  }

  /** Tells the server to stop working on `id` (the call gave up; `why` is `1` or CANCEL_TIMEOUT); nothing answers it. */
  private cancel(id: string, why = "1"): void {
    this.socket.send({ header: { [Headers.id]: id, [Headers.cancel]: why }, body: EMPTY }).catch(ignore);
  }

  /** Routes the messages of stream `id` to `sink` until {@link detach}. */
  attach(id: string, sink: StreamSink): void {
    this.streams.set(id, sink);
  }

  /** Stops routing stream `id`. */
  detach(id: string): void {
    this.streams.delete(id);
  }

  /** Sends one message of a stream as it is (no reply is awaited). */
  send(message: Message): Promise<void> {
    return this.socket.send(message);
  }

  private deliver(message: Message): void {
    if (this.streams.size > 0) {
      // A peer that knows no streams answers by Micro-Id alone.
      const sink = this.streams.get(message.header[Headers.stream] ?? message.header[Headers.id] ?? "");
      if (sink) return sink.message(message);
    }
    const id = message.header[Headers.id];
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) return; // a late reply to a call that already timed out or was cancelled
    this.pending.delete(id!);
    this.settle(p, message);
  }

  private settle(p: Pending, message: Message | undefined, error?: Error): void {
    p.state?.onCancel(undefined);
    if (message) p.resolve(message);
    else p.reject(error!);
  }
}
