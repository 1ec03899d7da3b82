import type { Http2Stream } from "node:http2";
import { Headers } from "../headers";
import { STREAM_ACK_EVERY } from "../stream-flow";
import type { Message } from "../transport";

const EMPTY = Buffer.alloc(0);

/**
 * HTTP/2 flow control stands in for tsmicro's stream acks on gRPC: every message written counts,
 * and credit goes back to the local stream (a synthesised `Micro-Ack`) once the writes drain,
 * or every STREAM_ACK_EVERY messages while they need no draining. Shared by both ends of a call.
 */
export class DrainCredit {
  private written = 0;
  private waiting = false;

  constructor(
    private readonly stream: Http2Stream,
    private readonly id: string,
    private readonly deliver: (message: Message) => void,
    private readonly finished: () => boolean,
  ) {}

  /** Counts one message just written to the stream. */
  wrote(): void {
    this.written++;
    if (this.stream.writableNeedDrain) {
      if (!this.waiting) {
        this.waiting = true;
        this.stream.once("drain", this.flush);
      }
    } else if (this.written >= STREAM_ACK_EVERY) {
      this.flush();
    }
  }

  private readonly flush = (): void => {
    this.waiting = false;
    if (this.written === 0 || this.finished()) return;
    const n = this.written;
    this.written = 0;
    this.deliver({ header: { [Headers.id]: this.id, [Headers.stream]: this.id, [Headers.ack]: String(n) }, body: EMPTY });
  };
}
