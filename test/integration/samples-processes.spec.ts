import { randomUUID } from "node:crypto";
import { killAll, runNode, startNode } from "../helpers/processes";

// The samples as real processes, driven by the `micro` CLI over the default providers (mDNS
// registry, tcp transport, HTTP broker), all on loopback.
afterAll(killAll);

describe("samples across processes", () => {
  it("the README's CLI commands work against the greeter sample", async () => {
    // The README says "greeter"; a unique name keeps this run apart from every other mDNS user.
    const name = `greeter-${randomUUID().slice(0, 8)}`;
    const greeter = startNode("samples/greeter/service.js", [`--server_name=${name}`]);
    await greeter.waitFor(/greeter ready at \S+/);
    const cli = (...args: string[]) => runNode("src/cli/main.js", args);

    const list = await cli("list", "services");
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")).toContain(name);

    const get = await cli("get", "service", name);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain(`service  ${name}`);
    expect(get.stdout).toContain("version  1.0.0");
    expect(get.stdout).toContain("Endpoint: Greeter.Hello");
    expect(get.stdout).toMatch(/Request:\n {2}HelloRequest HelloRequest\n {4}name string/);

    const call = await cli("call", name, "Greeter.Hello", '{"name":"John"}');
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ greeting: "Hello John" });

    const invalid = await cli("call", name, "Greeter.Hello", '{"name":""}');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^400 Bad Request: .*name.*\[tsmicro\.validation\]/);

    const health = await cli("health", name);
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/^\S+\t127\.0\.0\.1:\d+\tok\n$/);

    const id = `u-${randomUUID().slice(0, 8)}`;
    const pub = await cli("publish", "user.created", JSON.stringify({ id }));
    expect(pub.stderr).toBe("");
    expect(pub.code).toBe(0);
    expect(pub.stdout).toBe("published to user.created\n");
    await greeter.waitFor(new RegExp(`greeter: user ${id} created`));

    greeter.process.kill("SIGTERM");
    expect(await greeter.exited).toBe(0);
  });

  it("micro publish reaches the pubsub sample's subscribers, once per queue group", async () => {
    const listener = startNode("samples/pubsub/pubsub.js");
    await listener.waitFor(/listener ready at/);
    const id = `u-${randomUUID().slice(0, 8)}`;
    const pub = await runNode("src/cli/main.js", ["publish", "user.created", JSON.stringify({ id })]);
    expect(pub.stderr).toBe("");
    expect(pub.code).toBe(0);
    await listener.waitFor(new RegExp(`audit: user ${id} created`));
    await listener.waitFor(new RegExp(`mailer: welcome mail to ${id}`));
    listener.process.kill("SIGTERM");
    expect(await listener.exited).toBe(0);
    expect(listener.stdout().match(new RegExp(`mailer: welcome mail to ${id}`, "g"))).toHaveLength(1);
  });

  it("the filters sample round-robins over the filtered nodes and refuses a version none has", async () => {
    const run = await runNode("samples/filters/filters.js", []);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      "tcp nodes, round robin:    v1/tcp x2, v2/tcp x2",
      "version 2.0.0 on tcp only: v2/tcp x2",
      'version 3.0.0:             503 Service Unavailable: no node of service "inventory" matches the call\'s filters [tsmicro.no_nodes]',
      "",
    ]);
  });

  it("the function sample serves one call, then exits 0 by itself", async () => {
    const name = `reverser-${randomUUID().slice(0, 8)}`;
    const fn = startNode("samples/function/function.js", [], { MICRO_SERVER_NAME: name });
    await fn.waitFor(/ready at/);
    const call = await runNode("src/cli/main.js", ["call", name, "Reverser.Reverse", '{"text":"stressed"}']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ text: "desserts" });
    expect(await fn.exited).toBe(0);
    expect(fn.stdout()).toContain("served one call; exiting");
  });
});
