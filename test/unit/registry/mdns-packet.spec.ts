import { readObservations, readServiceNames } from "../../../src/registry/mdns/packet";
import { instanceAnswers, nodeAnswers, sentinelAnswers, toLocalNodes, type MdnsAnswer } from "../../../src/registry/mdns/records";
import type { ServiceRecord } from "../../../src/registry/registry";

const service = (address: string, name = "go.micro.srv.greeter"): ServiceRecord => ({
  name,
  version: "1.0.0",
  endpoints: [],
  nodes: [{ id: "greeter-1", address, metadata: { a: "b" } }],
});

/** What dns-packet hands back: names without the trailing dot. */
const undot = (answers: MdnsAnswer[]): MdnsAnswer[] =>
  answers.map((a) => ({ ...a, name: a.name.replace(/\.$/, ""), ...(a.type === "SRV" ? { data: { ...a.data, target: a.data.target.replace(/\.$/, "") } } : {}) }) as MdnsAnswer);

describe("mdns packets", () => {
  it("reads a node back, including a service name with dots and an IPv6 address", () => {
    for (const address of ["127.0.0.1:8080", "[::1]:8080"]) {
      const [node] = toLocalNodes(service(address), "micro");
      const [obs] = readObservations({ answers: undot(nodeAnswers(node!, "micro", 30)) }, "micro");
      expect(obs).toEqual({ kind: "node", instance: "greeter-1.go.micro.srv.greeter.micro.", ttlSeconds: 30, service: service(address) });
    }
  });

  it("uses the SRV target as host when the node advertises a host name", () => {
    const [node] = toLocalNodes(service("svc.internal:9090"), "micro");
    const answers = instanceAnswers(node!, 30);
    expect(answers.map((a) => a.type)).toEqual(["SRV", "TXT"]);
    const [obs] = readObservations({ additionals: answers }, "micro");
    expect(obs?.kind === "node" && obs.service.nodes[0]?.address).toBe("svc.internal:9090");
  });

  it("turns TTL 0 into a goodbye, even for a TXT alone", () => {
    const [node] = toLocalNodes(service("127.0.0.1:1"), "micro");
    const bye = nodeAnswers(node!, "micro", 0);
    expect(readObservations({ answers: bye }, "micro")).toEqual([{ kind: "goodbye", instance: node!.instance.toLowerCase() }]);
    expect(readObservations({ answers: bye.filter((a) => a.type === "TXT") }, "micro")).toHaveLength(1);
  });

  it("ignores other domains and the _services sentinel, which readServiceNames reads", () => {
    const [node] = toLocalNodes(service("127.0.0.1:1"), "other");
    expect(readObservations({ answers: nodeAnswers(node!, "other", 30) }, "micro")).toEqual([]);
    const sentinel = undot(sentinelAnswers("go.micro.srv.greeter", "micro", 30));
    expect(readObservations({ answers: sentinel }, "micro")).toEqual([]);
    expect(readServiceNames({ answers: sentinel }, "micro")).toEqual(["go.micro.srv.greeter"]);
    expect(readServiceNames({ answers: sentinelAnswers("gone", "micro", 0) }, "micro")).toEqual([]);
  });
});
