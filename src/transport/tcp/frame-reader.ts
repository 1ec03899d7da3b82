import type { Message } from "../transport";
import { FrameError, HttpPeerError } from "./errors";
import { FRAME_HEAD_BYTES, FrameType, MESSAGE_HEAD_BYTES, PREFACE, PROTOCOL_VERSION } from "./frame";
import { HeaderDecoder } from "./header-block";

/** Where a {@link FrameReader} hands what it decoded. */
export interface FrameSink {
  /** A whole message arrived. */
  onMessage(message: Message): void;
  /** A message's header block arrived but its body of `bodyBytes` is over the limit; the body is skipped unread. */
  onOversize(header: Record<string, string>, bodyBytes: number): void;
  /** The peer sent GOAWAY. */
  onGoaway(): void;
  /** The bytes broke the layout; the reader stops and the connection must close. */
  onProtocolError(error: FrameError): void;
}

/** What a reader enforces. */
export interface FrameReaderLimits {
  /** True when the stream must start with the client's preface (the server side). */
  expectPreface: boolean;
  /** Longest frame length accepted; a longer one is a protocol error. */
  maxFrameBytes: number;
  /** Largest body delivered; a larger one inside `maxFrameBytes` is reported to `oversize` and skipped. */
  maxBodyBytes: number;
}

const enum State {
  Preface,
  Head,
  Body,
  Skip,
  Failed,
}

const EMPTY = Buffer.alloc(0);

// "HTTP" read as a frame length: a peer answering with an HTTP status line.
const HTTP_MAGIC = 0x48545450;

/**
 * Incremental frame parser: `push` any split of the byte stream. Bodies that arrive whole in
 * one chunk are delivered as slices of it (no copy); others are assembled in one buffer of
 * their exact size. Partial heads are staged in a buffer bounded by the largest header block,
 * so memory never grows past one frame head plus one body within the limits.
 */
export class FrameReader {
  private state: State;
  private stage: Buffer = EMPTY;
  private staged = 0;
  private header: Record<string, string> = {};
  private body: Buffer = EMPTY;
  private filled = 0;
  private remaining = 0;
  private readonly headers = new HeaderDecoder();

  constructor(
    private readonly limits: FrameReaderLimits,
    private readonly sink: FrameSink,
  ) {
    this.state = limits.expectPreface ? State.Preface : State.Head;
  }

  /** Parses `chunk`, calling the sink for every complete item; does nothing once a protocol error was reported. */
  push(chunk: Buffer): void {
    const end = chunk.length;
    let off = 0;
    while (off < end) {
      switch (this.state) {
        case State.Head:
          off = this.staged === 0 ? this.headFromChunk(chunk, off, end) : this.headFromStage(chunk, off, end);
          break;
        case State.Body:
          off = this.fillBody(chunk, off, end);
          break;
        case State.Skip: {
          const n = Math.min(this.remaining, end - off);
          off += n;
          if ((this.remaining -= n) === 0) this.state = State.Head;
          break;
        }
        case State.Preface:
          off = this.preface(chunk, off, end);
          break;
        case State.Failed:
          return;
      }
    }
  }

  /** Stops parsing for good (the connection is closing). */
  stop(): void {
    this.state = State.Failed;
    this.stage = this.body = EMPTY;
  }

  private preface(chunk: Buffer, off: number, end: number): number {
    while (off < end && this.staged < PREFACE.length) {
      const b = chunk[off++]!;
      if (b !== PREFACE[this.staged]) {
        const what = this.staged === PREFACE.length - 1 ? `unsupported protocol version ${b} (want ${PROTOCOL_VERSION})` : "bad preface: not a tsmicro TCP client";
        this.fail(what);
        return end;
      }
      this.staged++;
    }
    if (this.staged === PREFACE.length) {
      this.staged = 0;
      this.state = State.Head;
    }
    return off;
  }

  /** How many head bytes the frame starting at `buf[off]` needs, judging by the `avail` bytes there. */
  private headBytes(buf: Buffer, off: number, avail: number): number {
    if (avail < FRAME_HEAD_BYTES) return FRAME_HEAD_BYTES;
    const length = buf.readUInt32BE(off);
    if (length === 0 || length > this.limits.maxFrameBytes) {
      if (length === HTTP_MAGIC && buf[off + 4] === 0x2f) throw new HttpPeerError("the peer answered in HTTP");
      throw new FrameError(`frame length ${length} is outside 1..${this.limits.maxFrameBytes}`);
    }
    if (buf[off + 4] !== FrameType.message) return FRAME_HEAD_BYTES;
    if (length < MESSAGE_HEAD_BYTES - 4) throw new FrameError(`message frame length ${length} is too short`);
    if (avail < MESSAGE_HEAD_BYTES) return MESSAGE_HEAD_BYTES;
    const block = buf.readUInt16BE(off + 5);
    if (block > length - 3) throw new FrameError(`header block of ${block} bytes is longer than its frame`);
    return MESSAGE_HEAD_BYTES + block;
  }

  private headFromChunk(chunk: Buffer, off: number, end: number): number {
    try {
      const need = this.headBytes(chunk, off, end - off);
      if (end - off >= need) {
        this.consumeHead(chunk, off, need);
        return off + need;
      }
      this.stageBytes(chunk, off, end, need);
      return end;
    } catch (err) {
      return this.failWith(err, end);
    }
  }

  private headFromStage(chunk: Buffer, off: number, end: number): number {
    try {
      for (;;) {
        const need = this.headBytes(this.stage, 0, this.staged);
        if (this.staged >= need) {
          this.staged = 0;
          this.consumeHead(this.stage, 0, need);
          return off;
        }
        if (off === end) return end;
        const take = Math.min(need - this.staged, end - off);
        this.stageBytes(chunk, off, off + take, need);
        off += take;
      }
    } catch (err) {
      return this.failWith(err, end);
    }
  }

  private stageBytes(chunk: Buffer, from: number, to: number, need: number): void {
    if (this.stage.length < need) {
      const bigger = Buffer.allocUnsafe(Math.max(need, 64));
      this.stage.copy(bigger, 0, 0, this.staged);
      this.stage = bigger;
    }
    chunk.copy(this.stage, this.staged, from, to);
    this.staged += to - from;
  }

  private consumeHead(buf: Buffer, off: number, headBytes: number): void {
    const length = buf.readUInt32BE(off);
    const rest = length + 4 - headBytes;
    // The state moves on before the sink runs: the sink may stop the reader.
    if (buf[off + 4] !== FrameType.message) {
      this.skip(rest);
      if (buf[off + 4] === FrameType.goaway) this.sink.onGoaway();
      return;
    }
    const header = this.headers.decode(buf, off + MESSAGE_HEAD_BYTES, off + headBytes);
    if (rest > this.limits.maxBodyBytes) {
      this.skip(rest);
      this.sink.onOversize(header, rest);
    } else if (rest === 0) {
      this.sink.onMessage({ header, body: EMPTY });
    } else {
      this.header = header;
      this.remaining = rest;
      this.body = EMPTY;
      this.filled = 0;
      this.state = State.Body;
    }
  }

  private skip(bytes: number): void {
    if (bytes === 0) return;
    this.remaining = bytes;
    this.state = State.Skip;
  }

  private fillBody(chunk: Buffer, off: number, end: number): number {
    const want = this.remaining;
    if (this.filled === 0 && end - off >= want) {
      this.state = State.Head;
      this.sink.onMessage({ header: this.header, body: chunk.subarray(off, off + want) });
      return off + want;
    }
    if (this.filled === 0) this.body = Buffer.allocUnsafe(want);
    const n = Math.min(want - this.filled, end - off);
    chunk.copy(this.body, this.filled, off, off + n);
    this.filled += n;
    if (this.filled === want) {
      const body = this.body;
      this.body = EMPTY;
      this.state = State.Head;
      this.sink.onMessage({ header: this.header, body });
    }
    return off + n;
  }

  private failWith(err: unknown, end: number): number {
    if (!(err instanceof FrameError)) throw err;
    this.stop();
    this.sink.onProtocolError(err);
    return end;
  }

  private fail(reason: string): void {
    this.stop();
    this.sink.onProtocolError(new FrameError(reason));
  }
}
