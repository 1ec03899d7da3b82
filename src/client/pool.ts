import { ErrorIds, MicroError, serviceUnavailable } from "../errors";
import type { Node } from "../registry/registry";
import type { Socket, Transport } from "../transport/transport";
import { ClientConnection } from "./connection";

/** Resolves the transport a node advertises by name (node metadata "transport"). */
export type TransportResolver = (name: string) => Transport | Promise<Transport>;

/**
 * One multiplexed connection per transport and address, dialed on first use and shared by every
 * call; a closed connection is dropped and redialed by the next call, and so is one whose server
 * said it is going away (tcp GOAWAY), so new calls never queue behind a draining connection.
 */
export class ConnectionPool {
  private readonly ready = new Map<string, ClientConnection>();
  private readonly dialing = new Map<string, Promise<ClientConnection>>();
  // Connections replaced after GOAWAY: they close themselves once their replies are in.
  private readonly retired = new Set<ClientConnection>();
  // Keys whose last connection said GOAWAY, until the next dial to them settles.
  private readonly goneAway = new Set<string>();
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly dialTimeoutMs: number,
    private readonly resolve?: TransportResolver,
  ) {}

  /**
   * The connection to `node`, over the transport it advertises: the open one itself (so a warm
   * call needs no await), or a promise of it while it is dialed (once, however many callers
   * wait; a caller that stops waiting does not stop the dial, which `dialTimeoutMs` bounds).
   */
  get(node: Node): ClientConnection | Promise<ClientConnection> {
    const name = node.metadata.transport;
    const own = name === undefined || name === "" || name === this.transport.name;
    // Most nodes speak this client's own transport: their key is the bare address.
    const key = own ? node.address : `${name} ${node.address}`;
    const open = this.ready.get(key);
    if (open !== undefined) {
      if (!open.draining) return open;
      this.ready.delete(key);
      this.retired.add(open);
      this.goneAway.add(key);
    }
    let dialing = this.dialing.get(key);
    if (!dialing) {
      if (this.closed) return Promise.reject(serviceUnavailable("this client is closed"));
      dialing = this.dial(key, node.address, own ? undefined : name);
      this.dialing.set(key, dialing);
      const done = (): void => void this.dialing.delete(key);
      dialing.then(done, done);
    }
    return dialing;
  }

  /** Connections open now (draining ones included), for metrics. */
  get size(): number {
    return this.ready.size + this.retired.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.ready.values(), ...this.retired];
    this.ready.clear();
    this.retired.clear();
    this.goneAway.clear();
    // Dials still under way are not awaited (a connect that never completes would hold close
    // for the whole dial timeout): each closes its connection itself when it completes.
    this.dialing.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  private async dial(key: string, address: string, transportName: string | undefined): Promise<ClientConnection> {
    const transport = transportName === undefined ? this.transport : await this.transportNamed(transportName, address);
    const wentAway = this.goneAway.delete(key);
    let socket: Socket;
    try {
      socket = await transport.dial(address, { timeoutMs: this.dialTimeoutMs });
    } catch (err) {
      // The node said GOAWAY and now refuses connections: it is draining, and no handler saw
      // the request. Saying so keeps policies that retry only draining refusals working.
      if (wentAway && MicroError.is(err) && err.id === ErrorIds.connection) {
        throw serviceUnavailable(`node ${address} is draining (it sent GOAWAY) and refused a new connection: ${err.detail}`, ErrorIds.draining);
      }
      throw err;
    }
    const conn: ClientConnection = new ClientConnection(address, socket, () => {
      if (this.ready.get(key) === conn) this.ready.delete(key);
      this.retired.delete(conn);
    });
    if (this.closed) {
      await conn.close();
      throw serviceUnavailable("this client is closed");
    }
    this.ready.set(key, conn);
    return conn;
  }

  /** The transport `name`; without a resolver, this client's own (the node may still speak it: tcp ports also answer http). */
  private async transportNamed(name: string, address: string): Promise<Transport> {
    if (this.resolve === undefined) return this.transport;
    try {
      return await this.resolve(name);
    } catch (err) {
      if (MicroError.is(err)) throw err;
      // Nothing was sent: the call may go to another node.
      throw serviceUnavailable(`cannot dial ${address}: no transport "${name}" (${err instanceof Error ? err.message : String(err)})`, ErrorIds.connection);
    }
  }
}
