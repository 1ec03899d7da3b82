import { randomUUID } from "node:crypto";
import {
  Context,
  ErrorIds,
  HttpTransport,
  MemoryRegistry,
  MicroError,
  RegistrySelector,
  RpcClient,
  RpcServer,
  SilentLogger,
  TcpTransport,
  type HandlerDescriptor,
  type Message,
  type Transport,
} from "../../../src";
import { connect } from "node:net";
import { encodeMessage, PREFACE } from "../../../src/transport/tcp/frame";
import type { TcpServerSocket } from "../../../src/transport/tcp/tcp-server-socket";
import { waitFor } from "../../helpers/wait";

// Regression: cancelling a call (its AbortSignal, or its deadline passing on the client) never
// reached the server: the handler's ctx.signal did not abort and its work ran to the end.

interface Seen {
  started: number;
  reasons: unknown[];
}

/** `Svc.Wait` runs until its ctx.signal aborts and records why; `Svc.Echo` answers at once. */
function handlers(seen: Seen): HandlerDescriptor[] {
  return [
    {
      endpoint: "Svc.Wait",
      validate: false,
      metadata: {},
      invoke: (_req: unknown, ctx: Context) => {
        seen.started++;
        return new Promise((_resolve, reject) => {
          ctx.signal.addEventListener("abort", () => (seen.reasons.push(ctx.signal.reason), reject(ctx.signal.reason as Error)), { once: true });
        });
      },
    },
    { endpoint: "Svc.Echo", validate: false, metadata: {}, invoke: async (req: unknown) => req },
  ];
}

async function setup(make: () => Transport): Promise<{ client: RpcClient; server: RpcServer; seen: Seen; name: string; close(): Promise<void> }> {
  const registry = new MemoryRegistry();
  const name = `cancel-${randomUUID()}`;
  const seen: Seen = { started: 0, reasons: [] };
  const server = new RpcServer({ name, registry, transport: make(), logger: new SilentLogger() });
  server.handle(handlers(seen));
  await server.start();
  const transport = make();
  const client = new RpcClient({ selector: new RegistrySelector({ registry }), transport, retries: 0 });
  const close = async (): Promise<void> => {
    await client.close();
    await transport.close();
    await server.stop();
  };
  return { client, server, seen, name, close };
}

describe.each([
  ["tcp", (): Transport => new TcpTransport()],
  ["http", (): Transport => new HttpTransport()],
])("cancellation over %s", (_name, make) => {
  it("aborts the handler's ctx.signal with 499 when the caller's signal aborts; the connection keeps serving", async () => {
    const { client, seen, name, close } = await setup(make);
    try {
      const ac = new AbortController();
      const call = client.call(name, "Svc.Wait", {}, { signal: ac.signal, timeoutMs: 60_000 }).catch((e: unknown) => e);
      await waitFor(() => seen.started === 1, 5000, "the handler to start");
      ac.abort();
      expect(await call).toMatchObject({ id: ErrorIds.cancelled, code: 499 });
      await waitFor(() => seen.reasons.length === 1, 5000, "the handler's signal to abort");
      expect(MicroError.is(seen.reasons[0])).toBe(true);
      expect(seen.reasons[0]).toMatchObject({ id: ErrorIds.cancelled, code: 499 });
      await expect(client.call(name, "Svc.Echo", { again: true })).resolves.toEqual({ again: true });
    } finally {
      await close();
    }
  });

  it("aborts the handler's ctx.signal when the caller's client closes with the call in flight", async () => {
    const { client, seen, name, close } = await setup(make);
    try {
      const call = client.call(name, "Svc.Wait", {}, { timeoutMs: 60_000 }).catch((e: unknown) => e);
      await waitFor(() => seen.started === 1, 5000, "the handler to start");
      await client.close();
      await call;
      await waitFor(() => seen.reasons.length === 1, 5000, "the handler's signal to abort");
      expect(seen.reasons[0]).toMatchObject({ id: ErrorIds.cancelled, code: 499 });
    } finally {
      await close();
    }
  });
});

describe("a tcp connection that dies", () => {
  it("aborts the ctx.signal of every request still running on it when it is reset", async () => {
    const { server, seen, name, close } = await setup(() => new TcpTransport());
    const [host, port] = [server.address.slice(0, server.address.lastIndexOf(":")), Number(server.address.slice(server.address.lastIndexOf(":") + 1))];
    const conn = connect({ host, port });
    conn.on("error", () => undefined);
    try {
      const request = { header: { "Micro-Id": "1", "Micro-Service": name, "Micro-Endpoint": "Svc.Wait", "Content-Type": "application/json" }, body: Buffer.from("{}") };
      conn.write(Buffer.concat([PREFACE, encodeMessage(request)]));
      await waitFor(() => seen.started === 1, 5000, "the handler to start");
      // A reset, as a killed process with unread data sends; a FIN alone is a half-close in this protocol (see docs/cancellation.md).
      conn.resetAndDestroy();
      await waitFor(() => seen.reasons.length === 1, 5000, "the handler's signal to abort");
      expect(seen.reasons[0]).toMatchObject({ id: ErrorIds.cancelled, code: 499 });
    } finally {
      conn.destroy();
      await close();
    }
  });
});

describe("a cancel message on the tcp transport", () => {
  it("is delivered to the server but never counted as a request in flight (it gets no answer)", async () => {
    const server = new TcpTransport();
    const got: Message[] = [];
    let sock: TcpServerSocket | undefined;
    const listener = await server.listen("127.0.0.1:0", (s) => {
      sock = s as TcpServerSocket;
      s.onMessage((m) => got.push(m));
    });
    const client = new TcpTransport();
    try {
      const socket = await client.dial(listener.address);
      await socket.send({ header: { "Micro-Id": "7", "Micro-Cancel": "1" }, body: Buffer.alloc(0) });
      await waitFor(() => got.length === 1, 5000, "the cancel message");
      expect(got[0]!.header).toMatchObject({ "Micro-Id": "7", "Micro-Cancel": "1" });
      expect(sock!.inflightCount).toBe(0);
    } finally {
      await client.close();
      await listener.close();
    }
  });
});
