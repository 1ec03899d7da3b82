import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ROOT } from "../helpers/processes";

// dig (Debian's dnsutils) is a third-party check of the registry's unicast answers to one-shot
// ("legacy", RFC 6762 §6.7) queries. Port 5353 is shared by every process on the machine and a
// unicast query reaches only one socket bound to it, so the registry and dig run together in a
// private network namespace with its own loopback (needs root and util-linux's unshare).

const DIG_MISSING = "dig not found: install Debian's dnsutils (apt-get install -y dnsutils); this test needs it";

/** Registers one node in a fresh namespace, runs dig against it there, and prints dig's output. */
function childScript(service: string): string {
  const mdns = JSON.stringify(join(ROOT, "dist", "src", "registry", "mdns"));
  return `
    const { execFile } = require("node:child_process");
    const { MdnsRegistry } = require(${mdns});
    (async () => {
      const registry = new MdnsRegistry();
      await registry.register({ name: ${JSON.stringify(service)}, version: "1.0.0", endpoints: [],
        nodes: [{ id: "n1", address: "127.0.0.1:40001", metadata: { k: "v" } }] });
      // Asynchronously: the registry answers from this process's event loop.
      const args = ["@127.0.0.1", "-p", "5353", ${JSON.stringify(`${service}.micro.`)}, "PTR", "+time=3", "+tries=2"];
      const out = await new Promise((resolve) => execFile("dig", args, (_err, stdout, stderr) => resolve(stdout + stderr)));
      process.stdout.write(out);
      await registry.close();
    })().catch((err) => { console.error(err); process.exit(2); });
  `;
}

/** Runs `script` under `unshare -n` with loopback up; resolves with its output and exit code. */
function runInNamespace(script: string): Promise<{ code: number; out: string }> {
  const child = spawn("unshare", ["-n", "sh", "-c", 'ip link set lo up && exec "$0" -e "$1"', process.execPath, script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child.pid!);
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      running.delete(child.pid!);
      resolve({ code: code ?? -1, out });
    });
  });
}

const running = new Set<number>();

afterAll(() => {
  for (const pid of running) process.kill(pid, "SIGKILL");
});

describe("mDNS unicast answers to one-shot queries, checked by dig", () => {
  it("are well-formed: query ID and question echoed, no cache-flush bit, TTL at most 10 s", async () => {
    const probe = spawnSync("dig", ["-v"], { encoding: "utf8" });
    if (probe.error) throw new Error(`${DIG_MISSING} (${probe.error.message})`);

    const service = `dig-${process.pid}-${randomBytes(4).toString("hex")}`;
    const { code, out } = await runInNamespace(childScript(service));
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining("status: NOERROR") });
    expect(out).not.toMatch(/malformed|class ?32769|CLASS32769|ID mismatch|FORMERR/i);
    expect(out).toMatch(/;; QUESTION SECTION:\s*\n;\S+\s+IN\s+PTR/);

    const records = out
      .split("\n")
      .filter((l) => l && !l.startsWith(";"))
      .map((l) => l.split(/\s+/))
      .map(([name, ttl, cls, type, ...data]) => ({ name, ttl: Number(ttl), cls, type, data: data.join(" ") }));
    const instance = `n1.${service}.micro.`;
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: `${service}.micro.`, cls: "IN", type: "PTR", data: instance }),
        expect.objectContaining({ name: instance, cls: "IN", type: "SRV", data: `10 1 40001 ${instance}` }),
        expect.objectContaining({ name: instance, cls: "IN", type: "TXT" }),
        expect.objectContaining({ name: instance, cls: "IN", type: "A", data: "127.0.0.1" }),
      ]),
    );
    for (const r of records) expect(r.ttl).toBeLessThanOrEqual(10);
  });
});
