import { ErrorIds, MicroError, serviceUnavailable } from "../errors";
import { Headers } from "../transport/headers";
import type { Message, Socket } from "../transport/transport";

interface Pending {
  resolve(m: Message): void;
  reject(e: Error): void;
}

/**
 * One dialed socket plus the table of requests waiting for replies, correlated by `Micro-Id`.
 * When the socket closes every pending request fails at once with a 503.
 */
export class ClientConnection {
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    readonly address: string,
    private readonly socket: Socket,
    onClosed: () => void,
  ) {
    socket.onMessage((m) => this.deliver(m));
    socket.onClose((err) => {
      this.closed = true;
      onClosed();
      const cause = serviceUnavailable(`connection to ${address} closed${err ? `: ${err.message}` : ""}`, ErrorIds.connection);
      for (const p of this.pending.values()) p.reject(cause);
      this.pending.clear();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `message` and resolves with the reply carrying the same `Micro-Id`. */
  request(message: Message, signal?: AbortSignal): Promise<Message> {
    const id = message.header[Headers.id]!;
    return new Promise<Message>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = (): void => signal?.removeEventListener("abort", onAbort);
      this.pending.set(id, {
        resolve: (m) => (done(), resolve(m)),
        reject: (e) => (done(), reject(e)),
      });
      this.socket.send(message).catch((err: unknown) => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        p.reject(MicroError.is(err) ? err : serviceUnavailable(`send to ${this.address} failed: ${String(err)}`, ErrorIds.connection));
      });
    });
  }

  close(): Promise<void> {
    return this.socket.close();
  }

  private deliver(message: Message): void {
    const id = message.header[Headers.id];
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) return; // a late reply to a call that already timed out or was aborted
    this.pending.delete(id!);
    p.resolve(message);
  }
}
