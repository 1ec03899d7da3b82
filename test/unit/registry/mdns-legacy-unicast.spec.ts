import { LEGACY_UNICAST_MAX_TTL, legacyUnicastAnswers, nodeAnswers, toLocalNodes } from "../../../src/registry/mdns/records";
import { makeNode, makeService } from "../../contract/registry.contract";

// Regression: unicast replies to dig-style one-shot queries kept the cache-flush bit (dig:
// "malformed packet", class 32769) and TTL 120 (RFC 6762 §6.7 allows at most 10 s).
describe("legacyUnicastAnswers", () => {
  const [node] = toLocalNodes(makeService("legacy", "1.0.0", [makeNode("l1")]), "micro");

  it("clears the cache-flush bit and caps every TTL at 10 s", () => {
    const multicast = nodeAnswers(node!, "micro", 120);
    expect(multicast.some((a) => "flush" in a && a.flush)).toBe(true);
    const legacy = legacyUnicastAnswers(multicast);
    expect(legacy.map((a) => a.type)).toEqual(multicast.map((a) => a.type));
    for (const a of legacy) expect(a).toEqual(expect.objectContaining({ flush: false, ttl: LEGACY_UNICAST_MAX_TTL }));
  });

  it("keeps shorter TTLs, goodbyes (TTL 0) included", () => {
    expect(legacyUnicastAnswers(nodeAnswers(node!, "micro", 0)).map((a) => ("ttl" in a ? a.ttl : -1))).toEqual([0, 0, 0, 0]);
    expect(legacyUnicastAnswers(nodeAnswers(node!, "micro", 3)).every((a) => "ttl" in a && a.ttl === 3)).toBe(true);
  });
});
