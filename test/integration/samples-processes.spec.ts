import { randomUUID } from "node:crypto";
import { killAll, runNode, startNode } from "../helpers/processes";

// The pubsub and function samples as real processes, driven by the `micro` CLI over the
// default providers (mDNS registry, HTTP transport, HTTP broker), all on loopback.
afterAll(killAll);

describe("samples across processes", () => {
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
