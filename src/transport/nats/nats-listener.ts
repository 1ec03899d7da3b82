import type { Msg, NatsConnection, Subscription as NatsSub } from "nats";
import { ErrorIds, payloadTooLarge, serviceUnavailable, type MicroError } from "../../errors";
import { fromNatsHeaders, toNatsHeaders } from "../../internal/nats/headers";
import type { Logger } from "../../logger/logger";
import { Headers } from "../headers";
import type { Listener, Message, Socket } from "../transport";
import { finishes, NatsServerSocket } from "./nats-server-socket";
import { CONTROL_HEADER } from "./subjects";

/** How a listener behaves; resolved by the transport. */
export interface NatsListenerSettings {
  readonly maxBodyBytes: number;
  readonly closeTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxClients: number;
  readonly logger?: Logger;
}

/**
 * Answers one subject. Each client socket (told apart by its reply inbox) becomes one server
 * socket; requests and streams in flight are tracked so `close` can drain them.
 */
export class NatsListener implements Listener {
  private readonly sub: NatsSub;
  private readonly sockets = new Map<string, NatsServerSocket>();
  /** Requests and streams not yet finished, as `inbox id`. */
  private readonly inflight = new Set<string>();
  private idle?: () => void;
  private closing?: Promise<void>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    readonly address: string,
    readonly subject: string,
    private readonly accept: (socket: Socket) => void,
    private readonly settings: NatsListenerSettings,
  ) {
    this.sub = nc.subscribe(subject, { callback: (err, msg) => (err ? settings.logger?.error("nats transport: listener failed", { subject, error: err.message }) : this.receive(msg)) });
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, settings.idleTimeoutMs)).unref();
  }

  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    if (this.inflight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((resolve) => (this.idle = resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, this.settings.closeTimeoutMs)))]);
      clearTimeout(timer);
    }
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    await Promise.all([...this.sockets.values()].map((s) => s.close()));
    this.sockets.clear();
  }

  private receive(msg: Msg): void {
    const inbox = msg.reply;
    if (!inbox) return; // nowhere to answer: not one of ours
    const header = fromNatsHeaders(msg.headers);
    const control = header[CONTROL_HEADER];
    if (control === "ping") {
      msg.respond(new Uint8Array(0));
      return;
    }
    if (control === "close") return this.forget(inbox);
    const id = header[Headers.id] ?? "";
    if (this.closing && !this.isInflight(inbox, header)) return this.refuse(inbox, id, serviceUnavailable(`${this.address} is shutting down`, ErrorIds.draining));
    if (msg.data.length > this.settings.maxBodyBytes) {
      return this.refuse(inbox, id, payloadTooLarge(`request body of ${msg.data.length} bytes is over the limit of ${this.settings.maxBodyBytes} bytes`));
    }
    const socket = this.socketFor(inbox);
    if (header[Headers.cancel] === undefined && header[Headers.ack] === undefined) this.inflight.add(key(inbox, header));
    socket.deliver({ header, body: Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength) });
  }

  private socketFor(inbox: string): NatsServerSocket {
    let socket = this.sockets.get(inbox);
    if (socket) return socket;
    if (this.sockets.size >= this.settings.maxClients) this.evictIdlest();
    socket = new NatsServerSocket(this.nc, this.address, inbox, (m) => this.sent(inbox, m));
    this.sockets.set(inbox, socket);
    this.accept(socket);
    return socket;
  }

  private sent(inbox: string, message: Message): void {
    if (!finishes(message)) return;
    this.inflight.delete(key(inbox, message.header));
    if (this.inflight.size === 0) this.idle?.();
  }

  private isInflight(inbox: string, header: Record<string, string>): boolean {
    return header[Headers.stream] !== undefined && this.inflight.has(key(inbox, header));
  }

  private refuse(inbox: string, id: string, err: MicroError): void {
    this.settings.logger?.warn("nats transport: request refused", { address: this.address, error: err.message });
    this.nc.publish(inbox, new Uint8Array(0), { headers: toNatsHeaders({ [Headers.id]: id, [Headers.error]: JSON.stringify(err.toJSON()) }) });
  }

  private forget(inbox: string): void {
    const socket = this.sockets.get(inbox);
    if (!socket) return;
    this.sockets.delete(inbox);
    for (const k of this.inflight) if (k.startsWith(`${inbox} `)) this.inflight.delete(k);
    if (this.inflight.size === 0) this.idle?.();
    void socket.close();
  }

  private evictIdlest(): void {
    let oldest: NatsServerSocket | undefined;
    for (const s of this.sockets.values()) if (!oldest || s.lastSeen < oldest.lastSeen) oldest = s;
    if (oldest) this.forget(oldest.remote);
  }

  /** Forgets clients silent for longer than the idle timeout (a client that crashed never says close). */
  private sweep(): void {
    const before = Date.now() - this.settings.idleTimeoutMs;
    for (const s of [...this.sockets.values()]) if (s.lastSeen < before && !this.hasInflight(s.remote)) this.forget(s.remote);
  }

  private hasInflight(inbox: string): boolean {
    for (const k of this.inflight) if (k.startsWith(`${inbox} `)) return true;
    return false;
  }
}

/** Identifies a request (by Micro-Id) or a stream (by Micro-Stream) of one client. */
function key(inbox: string, header: Record<string, string>): string {
  const stream = header[Headers.stream];
  return stream !== undefined ? `${inbox} s:${stream}` : `${inbox} ${header[Headers.id] ?? ""}`;
}
