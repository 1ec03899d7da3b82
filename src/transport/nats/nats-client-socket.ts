import { createInbox, type Msg, type NatsConnection, type Subscription as NatsSub } from "nats";
import { ErrorIds, payloadTooLarge, serviceUnavailable } from "../../errors";
import { fromNatsHeaders, toNatsHeaders } from "../../internal/nats/headers";
import type { Message, Socket } from "../transport";
import { CONTROL_HEADER } from "./subjects";

/**
 * A dialed socket: messages go to the listener's subject with this socket's inbox as the
 * reply subject; everything the listener sends back (replies, stream messages) arrives there.
 */
export class NatsClientSocket implements Socket {
  private readonly inbox: string;
  private readonly sub: NatsSub;
  private handler: (message: Message) => void = () => undefined;
  private closeHandler: (error?: Error) => void = () => undefined;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    readonly remote: string,
  ) {
    this.inbox = createInbox();
    this.sub = nc.subscribe(this.inbox, { callback: (err, msg) => (err ? this.end(err) : this.receive(msg)) });
  }

  get local(): string {
    return this.inbox;
  }

  async send(message: Message): Promise<void> {
    if (this.closed || this.nc.isClosed()) throw serviceUnavailable(`nats transport: socket to ${this.remote} is closed`, ErrorIds.connection);
    try {
      this.nc.publish(this.subject, message.body, { reply: this.inbox, headers: toNatsHeaders(message.header) });
    } catch (err) {
      const detail = `nats transport: send to ${this.remote} failed: ${(err as Error).message}`;
      throw (err as { code?: string }).code === "MAX_PAYLOAD_EXCEEDED" ? payloadTooLarge(detail) : serviceUnavailable(detail, ErrorIds.connection);
    }
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.nc.isClosed()) {
      // Tell the listener, so its side of this socket closes too (best effort: NATS may be down).
      this.nc.publish(this.subject, new Uint8Array(0), { reply: this.inbox, headers: toNatsHeaders({ [CONTROL_HEADER]: "close" }) });
    }
    this.end();
  }

  /** Ends the socket without telling the listener (the connection went away). */
  end(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.sub.unsubscribe();
    this.closeHandler(error);
  }

  private receive(msg: Msg): void {
    // The NATS server's "no responders" status: the listener is gone. Calls in flight fail and
    // the client dials afresh.
    if (msg.headers?.code === 503 && msg.data.length === 0) {
      this.end(serviceUnavailable(`nats transport: nothing listens on ${this.remote} any more`, ErrorIds.connection));
      return;
    }
    this.handler({ header: fromNatsHeaders(msg.headers), body: Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength) });
  }
}
