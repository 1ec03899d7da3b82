import { ErrorIds, MemoryRegistry, MicroError, RegistrySelector, roundRobin, serviceUnavailable } from "../../../src";
import { filterVersion } from "../../../src/selector";
import type { ServiceRecord } from "../../../src";

function record(version: string, ids: string[]): ServiceRecord {
  return { name: "svc", version, endpoints: [], nodes: ids.map((id) => ({ id, address: `127.0.0.1:1${id.length}`, metadata: {} })) };
}

async function setup(): Promise<{ registry: MemoryRegistry; selector: RegistrySelector }> {
  const registry = new MemoryRegistry();
  await registry.register(record("1", ["a", "b"]));
  const selector = new RegistrySelector({ registry, strategy: roundRobin(() => 0) });
  return { registry, selector };
}

describe("RegistrySelector", () => {
  it("throws a 404 naming the service when the registry has none", async () => {
    const { selector } = await setup();
    const err = (await Promise.resolve()
      .then(() => selector.select("nope"))
      .catch((e: unknown) => e)) as MicroError;
    expect(err.code).toBe(404);
    expect(err.id).toBe(ErrorIds.serviceNotFound);
    expect(err.detail).toContain('"nope"');
    await selector.close();
  });

  it("follows registry changes through its watch", async () => {
    const { registry, selector } = await setup();
    await selector.select("svc");
    await registry.register(record("1", ["c"]));
    await registry.deregister(record("1", ["a"]));
    const next = await selector.select("svc");
    const seen = new Set([next().id, next().id, next().id, next().id]);
    expect([...seen].sort()).toEqual(["b", "c"]);
    await selector.close();
  });

  it("avoids nodes this call already tried, and nodes marked with connection errors", async () => {
    const { selector } = await setup();
    const next = await selector.select("svc");
    const first = next();
    const second = next(new Set([first.id]));
    expect(second.id).not.toBe(first.id);
    selector.mark("svc", first, serviceUnavailable("refused", ErrorIds.connection));
    selector.mark("svc", second);
    const later = await selector.select("svc");
    for (let i = 0; i < 4; i++) expect(later().id).toBe(second.id);
    await selector.close();
  });

  it("applies filters and reports 503 when nothing matches", async () => {
    const { selector } = await setup();
    await expect(Promise.resolve().then(() => selector.select("svc", { filters: [filterVersion("9")] }))).rejects.toMatchObject({ code: 503 });
    await selector.close();
  });
});
