import { randomUUID } from "node:crypto";
import { killAll, runNode, startNode, type Child } from "../../helpers/processes";
import { startRedisServer, type RedisServer } from "../../helpers/servers/redis";

// samples/pubsub/README.md's redis commands, as real processes: two listeners, events published
// with the `micro` CLI. Needs `npx tsc -p tsconfig.build.json` first.
let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await killAll();
  await server?.stop();
});

describe("the pubsub sample on --broker=redis", () => {
  it("gives every listener the audit event and one listener of the mailer group the welcome mail", async () => {
    const flags = ["--registry=memory", "--broker=redis", `--broker_address=${server.url}`];
    const listeners: Child[] = [startNode("samples/pubsub/pubsub.js", flags), startNode("samples/pubsub/pubsub.js", flags)];
    await Promise.all(listeners.map((l) => l.waitFor(/listener ready at/)));
    const ids = [1, 2, 3, 4].map(() => `u-${randomUUID().slice(0, 8)}`);
    for (const id of ids) {
      const pub = await runNode("src/cli/main.js", [...flags, "publish", "user.created", JSON.stringify({ id })]);
      expect(pub.stderr).toBe("");
      expect(pub.code).toBe(0);
    }
    const all = (): string => listeners.map((l) => l.stdout()).join("");
    for (const id of ids) {
      await Promise.all(listeners.map((l) => l.waitFor(new RegExp(`audit: user ${id} created`))));
      await Promise.race(listeners.map((l) => l.waitFor(new RegExp(`mailer: welcome mail to ${id}`))));
    }
    for (const l of listeners) l.process.kill("SIGTERM");
    expect(await Promise.all(listeners.map((l) => l.exited))).toEqual([0, 0]);
    for (const id of ids) expect(all().match(new RegExp(`mailer: welcome mail to ${id}`, "g"))).toHaveLength(1);
  });
});
