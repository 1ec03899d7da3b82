import { join } from "node:path";
import { uniqueName } from "../../contract/registry.contract";
import { ROOT, killAll, runNode, runProcess, startNode } from "../../helpers/processes";
import { freePort } from "../../helpers/ports";
import { startEtcd, type EtcdServer } from "../../helpers/servers/etcd";

// The built `micro` CLI against a greeter process registered in a real etcd.

const NAME = uniqueName("greeter-cli");
let etcd: EtcdServer;
let flags: string[];

beforeAll(async () => {
  etcd = await startEtcd();
  flags = ["--registry=etcd", `--registry_address=${etcd.address}`, "--broker=memory"];
  const greeter = startNode("samples/greeter/service.js", [...flags, `--server_name=${NAME}`]);
  await greeter.waitFor(/ready at (\S+)/);
}, 60_000);

afterAll(async () => {
  await killAll();
  await etcd?.stop();
});

describe("micro --registry=etcd", () => {
  it("lists services, shows one, calls it and checks its health", async () => {
    const list = await runNode("src/cli/main.js", [...flags, "list", "services"]);
    expect(list).toMatchObject({ code: 0 });
    expect(list.stdout.split("\n")).toContain(NAME);

    const get = await runNode("src/cli/main.js", [...flags, "get", "service", NAME]);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain("Endpoint: Greeter.Hello");
    expect(get.stdout).toContain("name string");

    const call = await runNode("src/cli/main.js", [...flags, "call", NAME, "Greeter.Hello", '{"name":"John"}']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ greeting: "Hello John" });

    const health = await runNode("src/cli/main.js", [...flags, "health", NAME]);
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/\tok$/m);
  });

  it("takes MICRO_REGISTRY / MICRO_REGISTRY_ADDRESS too", async () => {
    const list = await runNode("src/cli/main.js", ["list", "services"], { MICRO_REGISTRY: "etcd", MICRO_REGISTRY_ADDRESS: etcd.address });
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")).toContain(NAME);
  });

  it("fails with a clear error (503, naming etcd and its address) when etcd is not there", async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const list = await runNode("src/cli/main.js", ["--registry=etcd", `--registry_address=${dead}`, "list", "services"]);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`etcd registry (${dead})`);
    expect(list.stderr).toContain("503");
  });
});

describe("loading tsmicro", () => {
  it("does not load etcd3 unless the etcd registry is chosen; the subpath does", async () => {
    const probe = (entry: string): string =>
      `require(${JSON.stringify(join(ROOT, entry))}); process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes("/node_modules/etcd3/"))))`;
    const root = await runProcess(process.execPath, ["-e", probe("dist/src/index.js")]);
    expect(root).toMatchObject({ code: 0, stdout: "false" });
    const sub = await runProcess(process.execPath, ["-e", probe("dist/src/registry/etcd/index.js")]);
    expect(sub).toMatchObject({ code: 0, stdout: "true" });
  });

  it("exports the class as the package subpath tsmicro/registry/etcd (and only types from tsmicro)", async () => {
    // A package may require itself by name through its "exports" map: this checks that map.
    const code = 'const s = require("tsmicro/registry/etcd"); const m = require("tsmicro"); process.stdout.write(typeof s.EtcdRegistry + " " + typeof m.EtcdRegistry)';
    await expect(runProcess(process.execPath, ["-e", code], { cwd: ROOT })).resolves.toMatchObject({ code: 0, stdout: "function undefined" });
  });
});
