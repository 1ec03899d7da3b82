import type { NatsConnection } from "nats";
import { ErrorIds, serviceUnavailable } from "../../errors";
import { toNatsHeaders } from "../../internal/nats/headers";
import { Headers } from "../headers";
import type { Message, Socket } from "../transport";

/** The listener's side of one dialed socket: what it sends goes to that socket's inbox. */
export class NatsServerSocket implements Socket {
  private handler: (message: Message) => void = () => undefined;
  private closeHandler: (error?: Error) => void = () => undefined;
  closed = false;
  /** When the client last sent something (ms since epoch), for idle eviction. */
  lastSeen = Date.now();

  constructor(
    private readonly nc: NatsConnection,
    readonly local: string,
    /** The client socket's inbox subject. */
    readonly remote: string,
    /** Told about every message sent, so the listener knows which requests are answered. */
    private readonly sent: (message: Message) => void,
  ) {}

  async send(message: Message): Promise<void> {
    if (this.closed || this.nc.isClosed()) throw serviceUnavailable(`nats transport: client ${this.remote} is gone`, ErrorIds.connection);
    this.nc.publish(this.remote, message.body, { headers: toNatsHeaders(message.header) });
    this.sent(message);
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  /** Hands a message from the client to the server code. */
  deliver(message: Message): void {
    this.lastSeen = Date.now();
    this.handler(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeHandler();
  }
}

/** Whether `message` (sent by the server) finishes the request or stream it belongs to. */
export function finishes(message: Message): boolean {
  return message.header[Headers.stream] === undefined || message.header[Headers.error] !== undefined;
}
