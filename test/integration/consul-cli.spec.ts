import { join } from "node:path";
import { ConsulTestServer } from "../helpers/consul-server";
import { killAll, ROOT, runNode, runProcess, startNode } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// `micro --registry=consul --registry_address=…` against a greeter registered in the Consul test
// server (built dist/; run `npx tsc -p tsconfig.build.json` first).

describe("micro CLI with --registry=consul", () => {
  let server: ConsulTestServer;
  let reg: string[];

  beforeAll(async () => {
    server = await ConsulTestServer.start();
    reg = ["--registry=consul", `--registry_address=${server.address}`];
    const greeter = startNode("samples/greeter/service.js", [...reg, "--broker=memory"]);
    await greeter.waitFor(/greeter ready at/);
    await waitFor(() => server.state.serviceIds().length === 1, 5000, "the greeter registered");
  }, 30_000);
  afterAll(async () => {
    await killAll();
    await server?.close();
  });

  it("lists services, gets a service, calls it and checks its health", async () => {
    const list = await runNode("src/cli/main.js", [...reg, "list", "services"]);
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")).toContain("greeter");

    const get = await runNode("src/cli/main.js", [...reg, "get", "service", "greeter"]);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain("Endpoint: Greeter.Hello");
    expect(get.stdout).toContain("1.0.0");

    const call = await runNode("src/cli/main.js", [...reg, "call", "greeter", "Greeter.Hello", '{"name":"Consul"}']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ greeting: "Hello Consul" });

    const health = await runNode("src/cli/main.js", ["health", "greeter"], { MICRO_REGISTRY: "consul", MICRO_REGISTRY_ADDRESS: server.address });
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/\tok$/m);
  }, 30_000);

  it("says which agent it could not reach when Consul is down, and exits 1", async () => {
    const down = await runNode("src/cli/main.js", ["--registry=consul", "--registry_address=127.0.0.1:1", "get", "service", "greeter"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("consul agent 127.0.0.1:1 unreachable");
  }, 30_000);

  it("loading the package does not load the consul library", async () => {
    const index = join(ROOT, "dist", "src", "index.js");
    const probe = `require(${JSON.stringify(index)}); console.log(Object.keys(require.cache).some((k) => k.includes("/node_modules/consul/")))`;
    const r = await runProcess(process.execPath, ["-e", probe]);
    expect(r.stdout.trim()).toBe("false");
  });
});
