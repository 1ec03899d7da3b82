import { ErrorIds, RpcClient, RegistrySelector, MemoryRegistry, TcpTransport, type Listener, type Message, type Socket, type Transport } from "../../../src";
import type { TcpServerSocket } from "../../../src/transport/tcp/tcp-server-socket";
import { waitFor } from "../../helpers/wait";

// Regression: after a server's GOAWAY (draining, or closing an idle connection) the pool kept
// handing out the old connection, whose sends are refused locally with 503 tsmicro.draining,
// until the server finally closed it: calls to a node that had merely closed an idle connection
// failed instead of dialing a fresh one.

/** An echo node that leaves `{"hold":true}` requests unanswered, so a connection stays open after GOAWAY. */
async function echoNode(server: TcpTransport): Promise<{ listener: Listener; sockets: TcpServerSocket[] }> {
  const sockets: TcpServerSocket[] = [];
  const listener = await server.listen("127.0.0.1:0", (socket) => {
    sockets.push(socket as TcpServerSocket);
    socket.onMessage((m: Message) => {
      if (m.header["Micro-Cancel"] !== undefined || m.body.toString() === '{"hold":true}') return;
      void socket.send({ header: { "Micro-Id": m.header["Micro-Id"]!, "Content-Type": "application/json" }, body: m.body }).catch(() => undefined);
    });
  });
  return { listener, sockets };
}

function recordingTcp(): { transport: Transport; dialed: Socket[]; tcp: TcpTransport } {
  const tcp = new TcpTransport();
  const dialed: Socket[] = [];
  const transport: Transport = {
    name: "tcp",
    listen: (a, f, o) => tcp.listen(a, f, o),
    dial: async (a, o) => {
      const s = await tcp.dial(a, o);
      dialed.push(s);
      return s;
    },
    close: () => tcp.close(),
  };
  return { transport, dialed, tcp };
}

describe("the pool after GOAWAY", () => {
  it("drops the going-away connection at once: the next call dials a fresh one and succeeds", async () => {
    const server = new TcpTransport();
    const { listener, sockets } = await echoNode(server);
    const { transport: recording, dialed, tcp } = recordingTcp();
    const client = new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport: recording, retries: 0 });
    const ac = new AbortController();
    try {
      const to = { address: listener.address };
      await expect(client.call("svc", "Svc.Echo", { n: 1 }, to)).resolves.toEqual({ n: 1 });
      const held = client.call("svc", "Svc.Echo", { hold: true }, { ...to, signal: ac.signal }).catch((e: unknown) => e);
      await waitFor(() => sockets[0]!.inflightCount === 1, 5000, "the held request");
      sockets[0]!.goaway(); // as an idle close or a drain would
      await waitFor(() => dialed[0]!.draining === true, 5000, "GOAWAY at the client");
      await expect(client.call("svc", "Svc.Echo", { n: 2 }, to)).resolves.toEqual({ n: 2 });
      expect(dialed).toHaveLength(2);
      ac.abort();
      await held;
    } finally {
      await client.close();
      await tcp.close();
      for (const s of sockets) await s.destroy();
      await listener.close();
    }
  });

  it("reports a draining node that refuses the new connection as 503 tsmicro.draining (provably undelivered)", async () => {
    const server = new TcpTransport();
    const { listener, sockets } = await echoNode(server);
    const { transport, dialed, tcp } = recordingTcp();
    const client = new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport, retries: 0 });
    const ac = new AbortController();
    const to = { address: listener.address };
    const held = client.call("svc", "Svc.Echo", { hold: true }, { ...to, signal: ac.signal }).catch((e: unknown) => e);
    await waitFor(() => sockets[0]?.inflightCount === 1, 5000, "the held request");
    const closing = listener.close(); // GOAWAY, and no more accepts
    try {
      await waitFor(() => dialed[0]!.draining === true, 5000, "GOAWAY at the client");
      await expect(client.call("svc", "Svc.Echo", { n: 1 }, to)).rejects.toMatchObject({
        code: 503,
        id: ErrorIds.draining,
        detail: expect.stringContaining("refused a new connection"),
      });
    } finally {
      ac.abort();
      await held;
      await client.close();
      await tcp.close();
      for (const s of sockets) await s.destroy();
      await closing;
    }
  });
});
