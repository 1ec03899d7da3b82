import { connect, type NatsConnection } from "nats";
import { ErrorIds, MicroError, serviceUnavailable } from "../../errors";
import { toNatsHeaders } from "../../internal/nats/headers";
import { splitHostPort } from "../../internal/address";
import type { DialOptions, Listener, ListenOptions, Socket, Transport } from "../transport";
import { NatsClientSocket } from "./nats-client-socket";
import { NatsListener } from "./nats-listener";
import { resolveNatsTransportOptions, type NatsTransportOptions, type ResolvedNatsTransportOptions } from "./options";
import { addressOf, CONTROL_HEADER, randomPort, subjectOf } from "./subjects";

/** How often a listener asked for port 0 draws another number when the drawn one is taken. */
const PICK_ATTEMPTS = 20;

/**
 * Request/reply over NATS subjects, so services open no port: a listener answers on
 * `<prefix>.<host>.<port>`, where the port is a number it picked (a node's address stays
 * `host:port`, which every registry stores), and a dialed socket sends there with its own inbox
 * as reply subject. Unary calls and streams both work; one NATS connection serves every
 * listener and socket of the transport.
 */
export class NatsTransport implements Transport {
  readonly name = "nats";
  private readonly options: ResolvedNatsTransportOptions;
  private conn?: Promise<NatsConnection>;
  private readonly sockets = new Set<NatsClientSocket>();

  constructor(options: NatsTransportOptions = {}) {
    this.options = resolveNatsTransportOptions(options);
  }

  async listen(address: string, accept: (socket: Socket) => void, options: ListenOptions = {}): Promise<Listener> {
    const nc = await this.connection();
    const { host, port: asked } = splitHostPort(address);
    let port = asked;
    for (let i = 0; port === 0 && i < PICK_ATTEMPTS; i++) {
      const drawn = randomPort();
      if (!(await this.answers(nc, subjectOf(this.options.subjectPrefix, addressOf(host, drawn))))) port = drawn;
    }
    const bound = addressOf(host, port);
    const subject = subjectOf(this.options.subjectPrefix, bound);
    if (asked !== 0 && (await this.answers(nc, subject))) throw new MicroError(ErrorIds.conflict, 409, `nats transport: ${bound} (subject ${subject}) is already in use`);
    const o = this.options;
    return new NatsListener(nc, bound, subject, accept, {
      maxBodyBytes: options.maxBodyBytes ?? o.maxBodyBytes,
      closeTimeoutMs: options.closeTimeoutMs ?? o.closeTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs,
      maxClients: o.maxClients,
      logger: o.logger,
    });
  }

  async dial(address: string, options: DialOptions = {}): Promise<Socket> {
    const nc = await this.connection();
    const subject = subjectOf(this.options.subjectPrefix, address);
    // Fail fast, as a refused TCP connect would: NATS answers "no responders" at once.
    if (!(await this.answers(nc, subject, options.timeoutMs ?? this.options.dialTimeoutMs))) {
      throw serviceUnavailable(`nats transport: nothing listens on ${address} (subject ${subject})`, ErrorIds.connection);
    }
    const socket = new NatsClientSocket(nc, subject, address);
    this.sockets.add(socket);
    socket.onClose(() => this.sockets.delete(socket));
    return socket;
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (!conn) return;
    const nc = await conn.catch(() => undefined);
    for (const socket of [...this.sockets]) socket.end(serviceUnavailable("nats transport closed", ErrorIds.connection));
    this.sockets.clear();
    await nc?.close().catch(() => undefined);
  }

  /** True when a listener answers a ping on `subject` within `timeoutMs`. */
  private async answers(nc: NatsConnection, subject: string, timeoutMs = 1000): Promise<boolean> {
    try {
      await nc.request(subject, new Uint8Array(0), { timeout: timeoutMs, headers: toNatsHeaders({ [CONTROL_HEADER]: "ping" }) });
      return true;
    } catch {
      return false;
    }
  }

  private connection(): Promise<NatsConnection> {
    const o = this.options;
    this.conn ??= connect({ servers: o.servers, name: "tsmicro-transport", timeout: o.dialTimeoutMs, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: o.reconnectWaitMs }).catch((err: unknown) => {
      this.conn = undefined;
      throw serviceUnavailable(`nats transport: cannot connect to ${o.servers.join(",")}: ${(err as Error).message}`, ErrorIds.connection);
    });
    return this.conn;
  }
}
