import { clientClosedRequest, timeout, type MicroError } from "../errors";
import { CANCEL_TIMEOUT, Headers } from "../transport/headers";
import type { Message } from "../transport/transport";

/** Aborts one request's work (its `ctx.signal`, its wait) with `reason`. */
export type Abort = (reason: MicroError) => void;

/** True for a client's `Micro-Cancel` message: it asks to stop the request with its `Micro-Id` and is never answered. */
export function isCancel(message: Message): boolean {
  return message.header[Headers.cancel] !== undefined;
}

/**
 * The requests in progress on one socket that a cancel message may still stop, by `Micro-Id`.
 * Bounded by the socket's own in-flight requests: an entry lives exactly as long as its request.
 */
export class SocketCancellations {
  // A null-prototype dictionary, not a Map: measured on the tcp echo benchmark (256 calls in
  // flight), a Map holding each request's abort function cost about a fifth of the throughput
  // in extra garbage collection; the dictionary costs nothing measurable.
  private live: Record<string, Abort> = Object.create(null) as Record<string, Abort>;

  /** Makes `id` cancellable until `delete`; a repeated id replaces the earlier entry. */
  add(id: string, abort: Abort): void {
    this.live[id] = abort;
  }

  /** Forgets `id` once its request settled (only when `abort` is still the entry for it). */
  delete(id: string, abort: Abort): void {
    if (this.live[id] === abort) delete this.live[id];
  }

  /** Handles a cancel message: aborts the request it names; an unknown or finished id is ignored. */
  cancel(message: Message): void {
    const id = message.header[Headers.id];
    const abort = id === undefined ? undefined : this.live[id];
    if (abort === undefined) return;
    delete this.live[id!];
    abort(
      message.header[Headers.cancel] === CANCEL_TIMEOUT
        ? timeout(`the caller's deadline for request ${id} passed`)
        : clientClosedRequest(`the caller cancelled request ${id}`),
    );
  }

  /** Aborts every request still running: the connection they came on is gone, nobody awaits their replies. */
  cancelAll(): void {
    const all = Object.values(this.live);
    if (all.length === 0) return;
    this.live = Object.create(null) as Record<string, Abort>;
    const reason = clientClosedRequest("the connection to the caller closed");
    for (const abort of all) abort(reason);
  }
}
