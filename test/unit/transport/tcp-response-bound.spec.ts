import { randomUUID } from "node:crypto";
import { MemoryRegistry, MicroError, RegistrySelector, RpcClient, RpcServer, SilentLogger, TcpTransport, type HandlerDescriptor } from "../../../src";

// The tcp client's side of "bounded response sizes on every transport": a reply frame over the
// client's maxFrameBytes is refused before it is buffered, fails the call, and the next call
// dials a fresh connection.

const big: HandlerDescriptor = { endpoint: "Svc.Big", validate: false, metadata: {}, invoke: async () => "x".repeat(2 * 1024 * 1024) };
const small: HandlerDescriptor = { endpoint: "Svc.Small", validate: false, metadata: {}, invoke: async () => "ok" };

describe("a tcp client's response bound", () => {
  it("fails a call whose reply is over maxFrameBytes with a 503 and keeps serving", async () => {
    const registry = new MemoryRegistry();
    const name = `bound-${randomUUID()}`;
    const server = new RpcServer({ name, registry, transport: new TcpTransport(), logger: new SilentLogger() });
    server.handle([big, small]);
    await server.start();
    const transport = new TcpTransport({ maxFrameBytes: 1024 * 1024 });
    const client = new RpcClient({ selector: new RegistrySelector({ registry }), transport, retries: 0 });
    try {
      const err = await client.call(name, "Svc.Big", {}, { timeoutMs: 60_000 }).catch((e: unknown) => e);
      expect(MicroError.is(err)).toBe(true);
      expect(err).toMatchObject({ code: 503 });
      expect((err as MicroError).detail).toMatch(/frame length \d+ is outside 1\.\.1048576/);
      await expect(client.call(name, "Svc.Small", {})).resolves.toBe("ok");
    } finally {
      await client.close();
      await transport.close();
      await server.stop();
    }
  });
});
