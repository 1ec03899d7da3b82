import { ConsulRegistry } from "../../../../src/registry/consul";
import { describeRegistryContract } from "../../../contract/registry.contract";
import { ConsulTestServer } from "../../../helpers/consul-server";

// One test server per registry, so node IDs reused across the suite's tests never meet.
const servers: ConsulTestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describeRegistryContract(
  "consul (test server)",
  async () => {
    const server = await ConsulTestServer.start();
    servers.push(server);
    return new ConsulRegistry({ addresses: [server.address], watchWaitMs: 5000 }, {});
  },
  // The outage stops the newest registry's server and restarts it on the same port; like a
  // `consul agent -dev` restart it comes back empty, so the registry must register again.
  { outage: { interrupt: () => servers.at(-1)!.kill(), restore: () => servers.at(-1)!.restart() } },
);
