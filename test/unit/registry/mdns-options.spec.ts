import { DEFAULT_MDNS_REGISTRY_OPTIONS, MDNS_INTERFACE_ENV, MdnsRegistry, resolveMdnsRegistryOptions } from "../../../src/registry/mdns";

describe("resolveMdnsRegistryOptions", () => {
  it("defaults to go-micro's domain and timeout on loopback", () => {
    const o = resolveMdnsRegistryOptions({}, {});
    expect(o).toMatchObject({ ...DEFAULT_MDNS_REGISTRY_OPTIONS, interfaceSource: "default" });
    expect(o).toMatchObject({ domain: "micro", interface: "127.0.0.1", port: 5353, queryTimeoutMs: 100 });
  });

  it("lets module options override defaults, ignoring undefined fields", () => {
    const o = resolveMdnsRegistryOptions({ domain: ".example.", queryTimeoutMs: 250, interface: "lo", port: undefined }, {});
    expect(o).toMatchObject({ domain: "example", queryTimeoutMs: 250, interface: "lo", port: 5353, interfaceSource: "module" });
  });

  it(`lets ${MDNS_INTERFACE_ENV} override the module's interface`, () => {
    expect(resolveMdnsRegistryOptions({ interface: "lo" }, { [MDNS_INTERFACE_ENV]: " eth0 " })).toMatchObject({
      interface: "eth0",
      interfaceSource: "env",
    });
    expect(resolveMdnsRegistryOptions({}, { [MDNS_INTERFACE_ENV]: "" }).interfaceSource).toBe("default");
  });

  it("rejects nonsense", () => {
    expect(() => resolveMdnsRegistryOptions({ domain: "..." }, {})).toThrow(RangeError);
    expect(() => resolveMdnsRegistryOptions({ queryTimeoutMs: 0 }, {})).toThrow(RangeError);
    expect(() => resolveMdnsRegistryOptions({ port: 70000 }, {})).toThrow(RangeError);
    expect(() => resolveMdnsRegistryOptions({ refreshFraction: 1 }, {})).toThrow(RangeError);
    expect(() => resolveMdnsRegistryOptions({ defaultRecordTtlSeconds: -1 }, {})).toThrow(RangeError);
  });

  it("is what the registry uses", () => {
    const saved = process.env[MDNS_INTERFACE_ENV];
    delete process.env[MDNS_INTERFACE_ENV];
    try {
      const registry = new MdnsRegistry({ domain: "test" });
      expect(registry.name).toBe("mdns");
      expect(registry.options).toMatchObject({ domain: "test", interface: "127.0.0.1", interfaceSource: "default" });
    } finally {
      if (saved !== undefined) process.env[MDNS_INTERFACE_ENV] = saved;
    }
  });

  // Regression: a typo surfaced later as "http broker: registering the subscription … failed".
  it("refuses an interface with no IPv4 address at once, naming where it came from", () => {
    expect(() => resolveMdnsRegistryOptions({}, { [MDNS_INTERFACE_ENV]: "nosuch0" })).toThrow(
      `mdns registry: interface "nosuch0" (from ${MDNS_INTERFACE_ENV}) has no IPv4 address`,
    );
    expect(() => resolveMdnsRegistryOptions({ interface: "nosuch0" }, {})).toThrow('interface "nosuch0" has no IPv4 address');
    expect(resolveMdnsRegistryOptions({}, { [MDNS_INTERFACE_ENV]: "lo" }).interface).toBe("lo");
  });
});
