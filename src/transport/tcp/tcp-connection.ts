import type { Socket as NetSocket } from "node:net";
import { clampDelay } from "../../internal/timers";
import type { Logger } from "../../logger/logger";
import { QUEUED, type Message } from "../transport";
import { closedByPeer, connectionError } from "./errors";
import { encodeMessageHead, GOAWAY_FRAME, PREFACE } from "./frame";
import { FrameReader, type FrameSink } from "./frame-reader";
import { Outbox } from "./outbox";

/** What one end of a TCP connection is configured with. */
export interface ConnectionConfig {
  /** The client sends the preface and always reads; the server expects it and stops reading while its writes are blocked. */
  role: "client" | "server";
  /** The peer's `host:port` (as dialed, on the client), for errors and logs. */
  remote: string;
  maxQueuedBytes: number;
  maxFrameBytes: number;
  maxBodyBytes: number;
  keepAliveMs: number;
  logger?: Logger;
}

/** What a connection reports to the socket that owns it. */
export interface ConnectionEvents {
  message(message: Message): void;
  oversize(header: Record<string, string>, bodyBytes: number): void;
  goaway(): void;
  /** The peer ended its side (half-close): it sends nothing more on this connection. */
  ended(): void;
  /** Called once when the connection closed; `error` is set unless this end closed it. */
  closed(error?: Error): void;
}

interface Waiter {
  readonly head: Buffer;
  readonly body: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}


// When a turn's frames go out. The first frame of a turn is written at once: a lone call (or
// the first answer of a burst) does not wait for the end of the turn. The rest are batched, but
// a batch goes out early once it holds `FLUSH_FRAMES` frames (doubling with each early write in
// the turn) or `FLUSH_BYTES` bytes, so the peer starts on them while this side still produces
// the rest; whatever is left goes out on setImmediate. With 32 calls in flight this made the two
// processes overlap instead of taking turns: ≈2× the calls per second (docs/benchmarks.md).
const FLUSH_FRAMES = 16;
const FLUSH_BYTES = 64 * 1024;

/**
 * One framed TCP connection, used by both ends. The first frame of an event-loop turn is
 * written at once; the turn's later frames are coalesced into few socket writes (a writev when
 * large bodies travel by reference): early once 16, then 32, 64… frames or 64 KiB are queued,
 * the rest on `setImmediate`. When the
 * socket reports back-pressure, flushing stops until 'drain'; past `maxQueuedBytes` a send
 * waits in line instead of buffering, and a server stops reading requests meanwhile.
 */
export class TcpConnection {
  private readonly outbox = new Outbox();
  private readonly reader: FrameReader;
  private readonly waiting: Array<Waiter | undefined> = [];
  private waitHead = 0;
  private scheduled = false;
  /** Frames queued since the last write, and how many trigger the next early write this turn. */
  private frames = 0;
  private flushAt = FLUSH_FRAMES;
  private blocked = false;
  private ending = false;
  private reading = true;
  private closed = false;
  private localClose = false;
  private failure?: Error;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly conn: NetSocket,
    private readonly config: ConnectionConfig,
    private readonly events: ConnectionEvents,
  ) {
    const server = config.role === "server";
    const sink: FrameSink = {
      onMessage: (message) => events.message(message),
      onOversize: (header, bodyBytes) => events.oversize(header, bodyBytes),
      onGoaway: () => events.goaway(),
      onProtocolError: (error) => {
        config.logger?.warn("tcp transport: protocol error, closing the connection", { remote: config.remote, reason: error.message });
        void this.destroy(error);
      },
    };
    this.reader = new FrameReader({ expectPreface: server, maxFrameBytes: config.maxFrameBytes, maxBodyBytes: config.maxBodyBytes }, sink);
    this.done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    // A server answers what it read before the client's half-close, so the read side ending must
    // not end its write side (and a client reads answers after it half-closed on GOAWAY).
    if (server) conn.allowHalfOpen = true;
    conn.setNoDelay(true);
    if (config.keepAliveMs > 0) conn.setKeepAlive(true, config.keepAliveMs);
    conn.on("data", (chunk: Buffer) => this.reader.push(chunk));
    conn.on("drain", this.onDrain);
    conn.on("end", () => events.ended());
    conn.on("error", (err: Error) => (this.failure ??= err));
    conn.once("close", this.onClose);
    // A dialed connection may have died while its siblings were still connecting.
    if (conn.destroyed) queueMicrotask(this.onClose);
    if (!server) {
      this.outbox.raw(PREFACE);
      this.schedule();
    }
  }

  /** Bytes waiting to reach the kernel: encoded here plus buffered in the socket. */
  get queuedBytes(): number {
    return this.outbox.bytes + this.conn.writableLength;
  }

  /** True once the connection closed for good. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Queues `message`; the promise resolves at once under the bound, or once the queue has room,
   * and rejects with a 503 if the connection closes first. Throws a 400 MicroError at once when
   * the header cannot be encoded, so callers know synchronously that nothing was queued.
   */
  send(message: Message): Promise<void> {
    if (this.closed || this.ending) return Promise.reject(connectionError(this.config.remote, this.failure ?? "connection closed"));
    if (this.waitHead < this.waiting.length || this.queuedBytes >= this.config.maxQueuedBytes) {
      const head = encodeMessageHead(message.header, message.body.length);
      return new Promise<void>((resolve, reject) => this.waiting.push({ head, body: message.body, resolve, reject }));
    }
    this.outbox.message(message.header, message.body);
    if (this.blocked) {
      this.schedule();
    } else if (!this.scheduled) {
      this.write();
      this.schedule();
    } else if (++this.frames >= this.flushAt || this.outbox.bytes >= FLUSH_BYTES) {
      this.flushAt *= 2;
      this.write();
    }
    return QUEUED;
  }

  /** Queues a GOAWAY frame. */
  goaway(): void {
    if (this.closed || this.ending) return;
    this.outbox.raw(GOAWAY_FRAME);
    this.schedule();
  }

  /**
   * Writes everything queued (waiting sends too), then ends this side's writing but keeps
   * reading until the peer closes: the half-close a client answers GOAWAY with. With `graceMs`,
   * a peer that has not closed by then gets the connection destroyed.
   */
  halfClose(graceMs?: number): void {
    if (this.closed || this.ending) return;
    this.ending = this.localClose = true;
    this.flushAll();
    this.conn.end();
    if (graceMs !== undefined) this.destroyAfter(graceMs);
  }

  /**
   * Writes everything queued (waiting sends too), then closes; resolves once closed. With
   * `graceMs`, a peer that does not take the bytes in time gets the connection destroyed.
   */
  end(graceMs?: number): Promise<void> {
    if (this.closed || !this.reading) return this.done;
    this.reading = false;
    this.reader.stop(); // nothing more is delivered once this end closes
    if (!this.ending) {
      this.ending = this.localClose = true;
      this.flushAll();
      this.conn.end(() => this.conn.destroy());
    } else if (this.conn.writableFinished) {
      this.conn.destroy(); // half-closed before: nothing left to write or to wait for
    } else {
      this.conn.once("finish", () => this.conn.destroy());
    }
    if (graceMs !== undefined) this.destroyAfter(graceMs);
    return this.done;
  }

  /** Closes at once, dropping whatever is queued; `error` is what the close handler is told. */
  destroy(error?: Error): Promise<void> {
    if (error !== undefined) this.failure ??= error;
    else this.localClose = true;
    this.conn.destroy();
    return this.done;
  }

  private destroyAfter(ms: number): void {
    const timer = setTimeout(() => this.conn.destroy(), clampDelay(ms));
    void this.done.then(() => clearTimeout(timer));
  }

  private flushAll(): void {
    this.admit(Infinity);
    if (this.outbox.bytes > 0) this.write();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    this.flushAt = FLUSH_FRAMES;
    if (!this.blocked && this.outbox.bytes > 0 && !this.closed && !this.ending) this.write();
  };

  private write(): void {
    if (this.conn.destroyed) return;
    const chunks = this.outbox.take();
    this.frames = 0;
    let ok = true;
    if (chunks.length === 1) {
      ok = this.conn.write(chunks[0]!);
    } else {
      this.conn.cork();
      for (const chunk of chunks) ok = this.conn.write(chunk);
      this.conn.uncork();
    }
    if (!ok) {
      this.blocked = true;
      if (this.config.role === "server") this.conn.pause();
    } else if (this.waitHead < this.waiting.length) {
      this.admit(this.config.maxQueuedBytes);
    }
  }

  private readonly onDrain = (): void => {
    this.blocked = false;
    if (this.config.role === "server" && !this.ending) this.conn.resume();
    this.admit(this.config.maxQueuedBytes);
    if (this.outbox.bytes > 0 && !this.ending) this.write();
  };

  /** Encodes waiting sends, in order, while the queue is under `bound`. */
  private admit(bound: number): void {
    while (this.waitHead < this.waiting.length && this.queuedBytes < bound) {
      const w = this.waiting[this.waitHead]!;
      this.waiting[this.waitHead++] = undefined;
      this.outbox.encoded(w.head, w.body);
      w.resolve();
    }
    if (this.waitHead === this.waiting.length) this.waiting.length = this.waitHead = 0;
    if (this.outbox.bytes > 0) this.schedule();
  }

  private readonly onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.reader.stop();
    const error = this.failure ?? (this.localClose ? undefined : closedByPeer());
    const cause = connectionError(this.config.remote, error ?? "connection closed");
    for (let i = this.waitHead; i < this.waiting.length; i++) this.waiting[i]!.reject(cause);
    this.waiting.length = this.waitHead = 0;
    this.resolveDone();
    this.events.closed(error);
  };
}
