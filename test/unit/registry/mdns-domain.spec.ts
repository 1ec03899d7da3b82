import { Broker, Handler, MdnsRegistry, MemoryBroker, Module, Service, createServiceAsync, resolveConfig } from "../../../src";
import { REGISTRY_DOMAIN_ENV, resolveMdnsRegistryOptions } from "../../../src/registry/mdns";
import type { Registry } from "../../../src/registry/registry";
import { EventLog, makeNode, makeService, uniqueName } from "../../contract/registry.contract";
import { waitFor } from "../../helpers/wait";

// Tests stay on loopback whatever the machine's environment says.
delete process.env.MICRO_MDNS_INTERFACE;

@Service("domain-echo")
class Echo {
  @Handler({ validate: false })
  async echo(req: unknown): Promise<unknown> {
    return req;
  }
}

@Module({ services: [Echo], providers: [{ provide: Broker, useClass: MemoryBroker }] })
class EchoModule {}

describe("registry domain (MICRO_REGISTRY_DOMAIN, --registry_domain)", () => {
  it("defaults to go-micro's micro; the env applies when no domain option is given; the option wins", () => {
    expect(resolveMdnsRegistryOptions({}, {}).domain).toBe("micro");
    expect(resolveMdnsRegistryOptions({}, { [REGISTRY_DOMAIN_ENV]: " team-a " }).domain).toBe("team-a");
    expect(resolveMdnsRegistryOptions({ domain: "mine" }, { [REGISTRY_DOMAIN_ENV]: "team-a" }).domain).toBe("mine");
  });

  it("rejects a domain that is not DNS labels, naming the flag or variable", () => {
    expect(() => resolveMdnsRegistryOptions({ domain: "a b" }, {})).toThrow(RangeError);
    expect(() => resolveMdnsRegistryOptions({ domain: "a..b" }, {})).toThrow(RangeError);
    expect(() => resolveConfig({ argv: ["--registry_domain=x/y"], env: {} })).toThrow(/--registry_domain/);
    expect(() => resolveConfig({ argv: [], env: { MICRO_REGISTRY_DOMAIN: "ü" } })).toThrow(/MICRO_REGISTRY_DOMAIN/);
  });

  it("is a setting: flag over env over default, and it reaches the mdns registry a service builds", async () => {
    expect(resolveConfig({ argv: [], env: {} })).toMatchObject({ registryDomain: "micro", sources: { registryDomain: "default" } });
    const fromEnv = resolveConfig({ argv: [], env: { MICRO_REGISTRY_DOMAIN: "team-a" } });
    expect([fromEnv.registryDomain, fromEnv.sources.registryDomain]).toEqual(["team-a", "env"]);
    const env = { MICRO_REGISTRY_DOMAIN: "team-a", MICRO_LOG_LEVEL: "silent" };
    // Constructing the registry does no I/O.
    const viaFlag = await createServiceAsync(EchoModule, { argv: ["--registry_domain", "team-b"], env });
    expect((viaFlag.registry as MdnsRegistry).options.domain).toBe("team-b");
    const viaEnv = await createServiceAsync(EchoModule, { argv: [], env });
    expect((viaEnv.registry as MdnsRegistry).options.domain).toBe("team-a");
  });

  describe("isolation", () => {
    const open: Registry[] = [];
    afterEach(async () => {
      for (const r of open.splice(0)) await r.close();
    });

    it("two registries with different domains do not see each other's services, listings or events", async () => {
      const suffix = uniqueName("d");
      const a = new MdnsRegistry({ domain: `team-a-${suffix}` });
      const b = new MdnsRegistry({ domain: `team-b-${suffix}` });
      const a2 = new MdnsRegistry({ domain: `team-a-${suffix}` }); // a second process of team a
      open.push(a, b, a2);
      const svc = uniqueName("same-name");
      const logA = new EventLog();
      const logB = new EventLog();
      await a2.watch(logA.listener, { service: svc });
      await b.watch(logB.listener, { service: svc });
      await a.register(makeService(svc, "1.0.0", [makeNode("a-node")]));
      await b.register(makeService(svc, "1.0.0", [makeNode("b-node")]));

      await logA.next((e) => e.action === "create", 5000, "team a's create");
      await logB.next((e) => e.action === "create", 5000, "team b's create");
      const seenByA = await waitFor(async () => {
        const r = await a2.getService(svc);
        return r.length > 0 && r;
      }, 5000, "team a's node");
      expect(seenByA.flatMap((r) => r.nodes.map((n) => n.id))).toEqual(["a-node"]);
      expect((await b.getService(svc)).flatMap((r) => r.nodes.map((n) => n.id))).toEqual(["b-node"]);
      expect(logA.events.flatMap((e) => e.service.nodes.map((n) => n.id))).toEqual(["a-node"]);
      expect(logB.events.flatMap((e) => e.service.nodes.map((n) => n.id))).toEqual(["b-node"]);

      const onlyB = uniqueName("only-b");
      await b.register(makeService(onlyB, "1.0.0", [makeNode("x")]));
      await waitFor(async () => (await b.listServices()).some((s) => s.name === onlyB), 5000, "only-b listed in team b");
      expect((await a2.listServices()).map((s) => s.name)).not.toContain(onlyB);
      const plain = new MdnsRegistry(); // the default domain, micro, sees neither team
      open.push(plain);
      expect(await plain.getService(svc)).toEqual([]);
    });
  });
});
