import { ErrorIds, type Node } from "../../../src";
import { ConnectionPool } from "../../../src/client/pool";
import { FakeTransport } from "./cancel-fakes";

const node = (address: string, transport?: string): Node => ({ id: `${transport ?? "-"}@${address}`, address, metadata: transport === undefined ? {} : { transport } });

describe("ConnectionPool and advertised transports", () => {
  it("dials each node with the transport its metadata names, one connection per transport and address", async () => {
    const own = new FakeTransport("tcp");
    const http = new FakeTransport("http");
    const asked: string[] = [];
    const pool = new ConnectionPool(own, 1000, async (name) => (asked.push(name), name === "http" ? http : own));
    const a = await pool.get(node("127.0.0.1:1", "http"));
    const b = await pool.get(node("127.0.0.1:1", "tcp"));
    const c = await pool.get(node("127.0.0.1:1"));
    expect(a).not.toBe(b);
    expect(b).toBe(c); // the own transport, named or not, is one pool entry
    expect(await pool.get(node("127.0.0.1:1", "http"))).toBe(a);
    expect([http.dials, own.dials]).toEqual([1, 1]);
    expect(asked).toEqual(["http"]); // the own transport needs no lookup
    await pool.close();
  });

  it("uses its own transport for every node when no resolver is given", async () => {
    const own = new FakeTransport("tcp");
    const pool = new ConnectionPool(own, 1000);
    await pool.get(node("127.0.0.1:1", "http"));
    expect(own.dials).toBe(1);
    await pool.close();
  });

  it("fails a node whose transport cannot be resolved with a not-delivered 503, so another node is tried", async () => {
    const pool = new ConnectionPool(new FakeTransport("tcp"), 1000, (name) => {
      throw new Error(`unknown transport "${name}"`);
    });
    await expect(Promise.resolve(pool.get(node("127.0.0.1:1", "carrier-pigeon")))).rejects.toMatchObject({
      code: 503,
      id: ErrorIds.connection,
      detail: expect.stringContaining('no transport "carrier-pigeon"'),
    });
    await pool.close();
  });
});
