import type { Socket as NetSocket } from "node:net";
import type { Sweepable } from "../../internal/sweeper";

/**
 * How long a connection still handshaking when the listener starts to drain may take to finish,
 * in ms. Its first bytes may already be in the kernel's buffer, unread, so closing it at once
 * could drop requests the client already sent; a silent one still cannot hold the drain for long.
 */
export const DRAIN_HANDSHAKE_GRACE_MS = 500;

/** A connection that must finish its handshake (the preface or the switch to HTTP) by `deadline`. */
export class HandshakeDeadline implements Sweepable {
  constructor(
    readonly conn: NetSocket,
    private deadline: number,
    private readonly expire: (conn: NetSocket) => void,
  ) {}

  /** Moves the deadline to `at` if that is sooner. */
  shorten(at: number): void {
    this.deadline = Math.min(this.deadline, at);
  }

  sweep(now: number): void {
    if (now >= this.deadline) this.expire(this.conn);
  }
}

/** What an idle check needs from a framed server socket. */
export interface IdleSubject {
  /** Requests delivered and not yet answered. */
  readonly inflightCount: number;
}

/**
 * Closes a framed connection that had nothing in flight and received no byte for `idleMs`.
 * It reads the socket's byte counter on each sweep, so receiving costs nothing extra.
 */
export class IdleDeadline implements Sweepable {
  private lastBytes: number;
  private since: number;

  constructor(
    private readonly conn: NetSocket,
    private readonly subject: IdleSubject,
    private readonly idleMs: number,
    now: number,
    private readonly expire: () => void,
  ) {
    this.lastBytes = conn.bytesRead;
    this.since = now;
  }

  sweep(now: number): void {
    const bytes = this.conn.bytesRead;
    if (bytes !== this.lastBytes || this.subject.inflightCount > 0) {
      this.lastBytes = bytes;
      this.since = now;
    } else if (now - this.since >= this.idleMs) {
      this.since = Number.POSITIVE_INFINITY; // expire once
      this.expire();
    }
  }
}
