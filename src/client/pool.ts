import type { Transport } from "../transport/transport";
import { ClientConnection } from "./connection";

/**
 * One multiplexed connection per address, dialed on first use and shared by every call; a
 * closed connection is dropped and redialed by the next call.
 */
export class ConnectionPool {
  private readonly ready = new Map<string, ClientConnection>();
  private readonly dialing = new Map<string, Promise<ClientConnection>>();

  constructor(
    private readonly transport: Transport,
    private readonly dialTimeoutMs: number,
  ) {}

  /**
   * The connection to `address`: the open one itself (so a warm call needs no await), or a
   * promise of it while it is dialed (once, however many callers wait).
   */
  get(address: string): ClientConnection | Promise<ClientConnection> {
    const open = this.ready.get(address);
    if (open) return open;
    let dialing = this.dialing.get(address);
    if (!dialing) {
      dialing = this.transport.dial(address, { timeoutMs: this.dialTimeoutMs }).then(
        (socket) => {
          const conn: ClientConnection = new ClientConnection(address, socket, () => {
            if (this.ready.get(address) === conn) this.ready.delete(address);
          });
          this.ready.set(address, conn);
          return conn;
        },
      );
      this.dialing.set(address, dialing);
      const done = (): void => void this.dialing.delete(address);
      dialing.then(done, done);
    }
    return dialing;
  }

  async close(): Promise<void> {
    const all = [...this.ready.values()];
    const pending = [...this.dialing.values()];
    this.ready.clear();
    this.dialing.clear();
    await Promise.all([...all.map((c) => c.close()), ...pending.map((p) => p.then((c) => c.close()).catch(() => undefined))]);
  }
}
