import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket as NetSocket } from "node:net";
import type { Sweepable } from "../../internal/sweeper";

/** The timeouts one HTTP connection is held to, in ms; 0 turns one off. */
export interface HttpTimeouts {
  /** From a request's first byte to the end of its head. */
  headersTimeoutMs: number;
  /** From a request's first byte to the end of its body. */
  requestTimeoutMs: number;
  /** Between a response and the next request. */
  keepAliveTimeoutMs: number;
}

/** Why a connection's deadline passed. */
export type HttpExpiry = "headers" | "request" | "idle";

const kDeadline = Symbol("tsmicro.http.deadline");

type TrackedResponse = ServerResponse & { [kDeadline]?: HttpDeadline };

// One listener for every response (the deadline rides on the response): no closure per request.
function onResponseFinish(this: TrackedResponse): void {
  this[kDeadline]?.finished(this);
}

const enum Phase {
  Head,
  Body,
  Busy,
  Idle,
}

/**
 * The deadlines of one server-side HTTP connection, checked by a sweep. node:http enforces
 * its header and request timeouts only on connections its own listening server accepted; this
 * also covers connections handed over by the tcp listener. It reads state the connection
 * keeps anyway (`bytesRead`, `req.complete`) and notes when each response ends, so serving
 * arms no timer. A next head that starts before the response ended counts as idle time: it is
 * then held to the keep-alive timeout instead.
 */
export class HttpDeadline implements Sweepable {
  private phase = Phase.Head;
  private since: number;
  private lastBytes: number;
  private req?: IncomingMessage;
  private res?: ServerResponse;
  private expired = false;

  constructor(
    readonly conn: NetSocket,
    private readonly timeouts: HttpTimeouts,
    now: number,
    private readonly expire: (deadline: HttpDeadline, why: HttpExpiry) => void,
  ) {
    this.since = now;
    this.lastBytes = conn.bytesRead;
  }

  /** The response under way, if any. */
  get response(): ServerResponse | undefined {
    return this.res;
  }

  /** A request's head arrived. */
  request(req: IncomingMessage, res: ServerResponse, now: number): void {
    // The request timeout counts from the head's first byte when the sweep saw it start.
    if (this.phase !== Phase.Head) this.since = now;
    this.phase = Phase.Body;
    this.req = req;
    this.res = res;
    // The byte count must be taken when the response ends: bytes after it belong to the next request.
    (res as TrackedResponse)[kDeadline] = this;
    res.on("finish", onResponseFinish);
  }

  /** The response `res` ended. */
  finished(res: ServerResponse): void {
    if (res !== this.res) return; // a pipelined request already took over
    this.phase = Phase.Idle;
    this.since = Date.now();
    this.lastBytes = this.conn.bytesRead;
    this.req = this.res = undefined;
  }

  sweep(now: number): void {
    if (this.expired) return;
    const t = this.timeouts;
    if (this.phase === Phase.Head) return this.check(now, t.headersTimeoutMs, "headers");
    if (this.phase === Phase.Body) {
      if (!this.req!.complete) return this.check(now, t.requestTimeoutMs, "request");
      this.phase = Phase.Busy;
    }
    if (this.phase === Phase.Busy) return; // the handler's time is the caller's budget, not ours
    if (this.conn.bytesRead === this.lastBytes) return this.check(now, t.keepAliveTimeoutMs, "idle");
    this.phase = Phase.Head;
    this.since = now;
  }

  private check(now: number, limit: number, why: HttpExpiry): void {
    if (limit > 0 && now - this.since >= limit) {
      this.expired = true;
      this.expire(this, why);
    }
  }
}
