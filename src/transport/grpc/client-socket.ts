import { connect, type ClientHttp2Session } from "node:http2";
import { badRequest, ErrorIds, MicroError, serviceUnavailable } from "../../errors";
import { Headers } from "../headers";
import type { Message, Socket } from "../transport";
import { ClientCall, type ClientCallHost } from "./client-call";

/** Opens an HTTP/2 connection to `address`; rejects with a 503 `tsmicro.connection` (nothing was sent). */
export function connectGrpc(address: string, timeoutMs: number, keepAliveMs: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${address}`, { settings: { enablePush: false } });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      session.destroy();
      reject(MicroError.is(err) ? err : serviceUnavailable(`cannot connect to ${address}: ${err.message}`, ErrorIds.connection));
    };
    const timer = setTimeout(() => fail(serviceUnavailable(`connecting to ${address} took over ${timeoutMs}ms`, ErrorIds.connection)), timeoutMs);
    session.once("error", fail);
    session.once("connect", () => {
      clearTimeout(timer);
      session.off("error", fail);
      if (keepAliveMs > 0) {
        const ping = setInterval(() => session.ping(() => undefined), keepAliveMs);
        ping.unref();
        session.once("close", () => clearInterval(ping));
      }
      resolve(session);
    });
  });
}

/**
 * A dialed HTTP/2 connection seen as a tsmicro socket: a request message (or a stream's first
 * message) opens a gRPC call, later messages of a stream go to its call, and every reply comes
 * back through `onMessage` with the call's `Micro-Id`. Many calls share the connection.
 */
export class GrpcClientSocket implements Socket, ClientCallHost {
  readonly local: string;
  readonly remote: string;
  private readonly calls = new Map<string, ClientCall>();
  private handler: (message: Message) => void = () => undefined;
  private closeHandler?: (error?: Error) => void;
  private error?: Error;
  private goneAway = false;

  constructor(
    private readonly session: ClientHttp2Session,
    private readonly address: string,
    private readonly maxBodyBytes: number,
    private readonly forget: (socket: GrpcClientSocket) => void,
  ) {
    const s = session.socket;
    this.local = `${s?.localAddress ?? ""}:${s?.localPort ?? 0}`;
    this.remote = address;
    session.on("error", (err) => (this.error = err));
    session.on("goaway", () => (this.goneAway = true));
    session.on("close", () => {
      this.forget(this);
      this.closeHandler?.(this.error);
    });
  }

  get draining(): boolean {
    return this.goneAway;
  }

  send(message: Message): Promise<void> {
    const h = message.header;
    const key = h[Headers.stream] ?? h[Headers.id] ?? "";
    const open = this.calls.get(key);
    if (open) {
      open.send(message);
      return Promise.resolve();
    }
    // Control messages of calls that already ended (a late ack or cancel) need nothing.
    if (h[Headers.cancel] !== undefined || h[Headers.ack] !== undefined) return Promise.resolve();
    if (this.session.closed || this.session.destroyed) {
      return Promise.reject(serviceUnavailable(`connection to ${this.address} is closed`, ErrorIds.connection));
    }
    let call: ClientCall;
    try {
      call = new ClientCall(key, h[Headers.stream] !== undefined, this.session, this.address, message, this.maxBodyBytes, this);
    } catch (err) {
      return Promise.reject(badRequest(`cannot send the call as gRPC: ${err instanceof Error ? err.message : String(err)}`));
    }
    this.calls.set(key, call);
    call.send(message);
    return Promise.resolve();
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  close(): Promise<void> {
    if (this.session.closed || this.session.destroyed) return Promise.resolve();
    for (const call of [...this.calls.values()]) call.cancel();
    return new Promise((resolve) => this.session.close(resolve));
  }

  deliver(message: Message): void {
    this.handler(message);
  }

  done(call: ClientCall): void {
    this.calls.delete(call.id);
  }
}
