import { MemoryRegistry, RpcServer, resolveConfig, type Listener, type Transport } from "../../../src";
import { advertiseAddress } from "../../../src/server/advertise";
import { RecordingLogger } from "../../helpers/recording-logger";

// --server_address=0.0.0.0:N must never put 0.0.0.0 in the registry: nobody can dial it, and a
// wider address must be asked for by name (--server_advertise), never guessed.

/** A transport that pretends to listen on `address` (no socket: tests bind loopback only). */
function fakeTransport(address: string): Transport {
  const listener: Listener = { address, close: async () => undefined };
  return {
    name: "fake",
    listen: async () => listener,
    dial: async () => Promise.reject(new Error("not dialable")),
    close: async () => undefined,
  };
}

async function started(bound: string, advertise?: string): Promise<{ server: RpcServer; logger: RecordingLogger; registry: MemoryRegistry }> {
  const logger = new RecordingLogger();
  const registry = new MemoryRegistry();
  const server = new RpcServer({ name: "adv", registry, transport: fakeTransport(bound), advertise, logger, address: bound });
  await server.start();
  return { server, logger, registry };
}

describe("advertiseAddress", () => {
  it("advertises a loopback or named bind as bound", () => {
    expect(advertiseAddress(undefined, "127.0.0.2:4000")).toEqual({ address: "127.0.0.2:4000", reason: "bound" });
  });

  it("advertises 127.0.0.1 with the bound port for 0.0.0.0 and ::", () => {
    expect(advertiseAddress(undefined, "0.0.0.0:4000")).toEqual({ address: "127.0.0.1:4000", reason: "wildcard" });
    expect(advertiseAddress(undefined, "[::]:4000")).toEqual({ address: "127.0.0.1:4000", reason: "wildcard" });
    expect(advertiseAddress(undefined, ":4000")).toEqual({ address: "127.0.0.1:4000", reason: "wildcard" });
  });

  it("advertises an explicit address as given, a host alone with the bound port", () => {
    expect(advertiseAddress("127.0.0.3", "0.0.0.0:4000")).toEqual({ address: "127.0.0.3:4000", reason: "explicit" });
    expect(advertiseAddress("127.0.0.3:9000", "0.0.0.0:4000")).toEqual({ address: "127.0.0.3:9000", reason: "explicit" });
    expect(advertiseAddress("[::1]", "[::]:4000")).toEqual({ address: "[::1]:4000", reason: "explicit" });
  });

  it("refuses to advertise a wildcard even when asked", () => {
    expect(() => advertiseAddress("0.0.0.0", "127.0.0.1:4000")).toThrow('cannot advertise "0.0.0.0"');
    expect(() => advertiseAddress("[::]:80", "127.0.0.1:4000")).toThrow("wildcard");
  });
});

describe("RpcServer bound to every interface", () => {
  it("registers 127.0.0.1 with the bound port and says so in the start-up log", async () => {
    const { server, logger, registry } = await started("0.0.0.0:4321");
    expect(server.address).toBe("127.0.0.1:4321");
    const [record] = await registry.getService("adv");
    expect(record!.nodes.map((n) => n.address)).toEqual(["127.0.0.1:4321"]);
    const line = logger.lines.find((l) => l.msg.includes("advertising 127.0.0.1:4321"));
    expect(line?.msg).toContain("--server_advertise");
    expect(line?.fields).toMatchObject({ address: "0.0.0.0:4321", advertise: "127.0.0.1:4321" });
    await server.stop();
  });

  it("registers an explicit --server_advertise as given, without the wildcard line", async () => {
    const { server, logger, registry } = await started("0.0.0.0:4321", "127.0.0.4");
    const [record] = await registry.getService("adv");
    expect(record!.nodes.map((n) => n.address)).toEqual(["127.0.0.4:4321"]);
    expect(logger.lines.some((l) => l.msg.includes("every interface"))).toBe(false);
    await server.stop();
  });

  it("fails construction, before listening, on a wildcard advertise address", () => {
    expect(() => new RpcServer({ name: "adv", registry: new MemoryRegistry(), transport: fakeTransport("0.0.0.0:1"), advertise: "0.0.0.0" })).toThrow("wildcard");
  });
});

describe("--server_advertise / MICRO_SERVER_ADVERTISE", () => {
  it("takes the flag and the environment variable", () => {
    expect(resolveConfig({ argv: ["--server_advertise=127.0.0.3"], env: {} }).serverAdvertise).toBe("127.0.0.3");
    expect(resolveConfig({ argv: [], env: { MICRO_SERVER_ADVERTISE: "127.0.0.3:9000" } })).toMatchObject({ serverAdvertise: "127.0.0.3:9000", sources: { serverAdvertise: "env" } });
  });

  it("rejects a wildcard, naming the flag", () => {
    expect(() => resolveConfig({ argv: ["--server_advertise=0.0.0.0"], env: {} })).toThrow(/invalid value for --server_advertise: cannot advertise "0.0.0.0"/);
    expect(() => resolveConfig({ argv: [], env: { MICRO_SERVER_ADVERTISE: "0.0.0.0:80" } })).toThrow(/MICRO_SERVER_ADVERTISE/);
  });
});
