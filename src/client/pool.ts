import type { Transport } from "../transport/transport";
import { ClientConnection } from "./connection";

/**
 * One multiplexed connection per address, dialed on first use and shared by every call; a
 * closed connection is dropped and redialed by the next call.
 */
export class ConnectionPool {
  private readonly conns = new Map<string, Promise<ClientConnection>>();

  constructor(
    private readonly transport: Transport,
    private readonly dialTimeoutMs: number,
  ) {}

  get(address: string): Promise<ClientConnection> {
    let conn = this.conns.get(address);
    if (!conn) {
      conn = this.transport.dial(address, { timeoutMs: this.dialTimeoutMs }).then(
        (socket) => new ClientConnection(address, socket, () => this.drop(address, conn!)),
      );
      this.conns.set(address, conn);
      conn.catch(() => this.drop(address, conn!));
    }
    return conn;
  }

  async close(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((c) => c.then((x) => x.close()).catch(() => undefined)));
  }

  private drop(address: string, conn: Promise<ClientConnection>): void {
    if (this.conns.get(address) === conn) this.conns.delete(address);
  }
}
