import { MemoryBroker, MemoryRegistry, SilentLogger, TcpTransport, createClient } from "../../../src";

// docs/configuration.md says exactly what close() closes; these pin that statement down.
const isolated = { argv: [], env: {}, logger: new SilentLogger() };

describe("createClient().close()", () => {
  it("leaves a registry, transport and broker that were passed in open", async () => {
    const registry = new MemoryRegistry();
    const transport = new TcpTransport();
    const broker = new MemoryBroker();
    const spies = [jest.spyOn(registry, "close"), jest.spyOn(transport, "close"), jest.spyOn(broker, "disconnect")];
    const c = await createClient({ ...isolated, registry, transport, broker });
    const clientClose = jest.spyOn(c.client, "close");
    const selectorClose = jest.spyOn(c.selector, "close");
    await c.close();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(clientClose).toHaveBeenCalledTimes(1);
    expect(selectorClose).toHaveBeenCalledTimes(1);
    await transport.close();
  });

  it("closes the providers it built itself, once, however often close() is called", async () => {
    const c = await createClient({ ...isolated, settings: { registry: "memory", broker: "memory" } });
    const spies = [jest.spyOn(c.registry, "close"), jest.spyOn(c.transport, "close"), jest.spyOn(c.broker, "disconnect"), jest.spyOn(c.selector, "close"), jest.spyOn(c.client, "close")];
    await Promise.all([c.close(), c.close()]);
    await c.close();
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
  });
});
