import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SilentLogger, createClient } from "../../src";
import { ROOT, childEnv, killAll, runNode, runProcess, startNode, startProcess } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// The npm scripts as a user, Docker, systemd or a CI runner runs them: through npm, with
// signals sent to npm's PID, and the samples run directly with node from dist/.
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const orphans = new Set<number>();

/** True while a process with this PID exists (kill with signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/** The PIDs of the direct children of `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").filter((l) => l.trim() !== "").map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** Every process below `pid`, remembered so teardown can kill them even if npm is gone. */
function trackDescendants(pid: number): void {
  for (const child of childrenOf(pid)) {
    orphans.add(child);
    trackDescendants(child);
  }
}

afterAll(async () => {
  // npm's own children are not ours to track by ChildProcess: kill whichever outlived the test.
  await killAll();
  for (const pid of orphans) if (alive(pid)) process.kill(pid, "SIGKILL");
});

describe("npm scripts", () => {
  // What a supervisor does (SIGTERM to the PID it started) and what Ctrl-C in a terminal does
  // (SIGINT to the whole foreground process group: npm and node both get it).
  it.each([
    ["SIGTERM to npm's PID", "SIGTERM", false],
    ["SIGINT to the process group (Ctrl-C)", "SIGINT", true],
  ] as const)("npm run greeter, %s: node deregisters and exits 0, npm exits 0, nothing left running", async (_what, signal, group) => {
    const name = `greeter-npm-${randomUUID().slice(0, 8)}`;
    const npm = startProcess("npm", ["run", "-s", "greeter"], { cwd: ROOT, env: childEnv({ MICRO_SERVER_NAME: name }), group });
    await npm.waitFor(/greeter ready at \S+/, 120_000);
    // `exec` in the script replaces npm's `sh -c` with node, so node is npm's only child.
    trackDescendants(npm.pid);
    const children = childrenOf(npm.pid);
    expect(children).toHaveLength(1);
    const nodePid = children[0]!;
    expect(readFileSync(`/proc/${nodePid}/cmdline`, "utf8").split("\0")).toContain("dist/samples/greeter/service.js");

    const registry = await createClient({ argv: [], env: { MICRO_BROKER: "memory" }, logger: new SilentLogger() });
    try {
      await waitFor(async () => (await registry.registry.getService(name)).length > 0, 10_000, "the greeter registered");
      process.kill(group ? -npm.pid : npm.pid, signal);
      expect(await npm.exited).toBe(0);
      expect(alive(nodePid)).toBe(false);
      await waitFor(async () => (await registry.registry.getService(name)).length === 0, 10_000, "the greeter deregistered");
    } finally {
      await registry.close();
    }
  }, 150_000);

  it("npm run micro -- --version prints the package version", async () => {
    const res = await runProcess("npm", ["run", "-s", "micro", "--", "--version"], { cwd: ROOT, timeoutMs: 120_000 });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${VERSION}\n`);
  }, 150_000);

  it("npm run micro does not rebuild an up-to-date dist/ (it used to delete and rebuild it on every call)", async () => {
    const first = await runProcess("npm", ["run", "-s", "micro", "--", "--help"], { cwd: ROOT, timeoutMs: 120_000 });
    expect(first.code).toBe(0);
    const outputs = ["dist/src/index.js", "dist/src/cli/main.js", "dist/samples/greeter/service.js", "dist/tsconfig.build.tsbuildinfo"];
    const before = outputs.map((f) => statSync(join(ROOT, f)).mtimeMs);
    const second = await runProcess("npm", ["run", "-s", "micro", "--", "--help"], { cwd: ROOT, timeoutMs: 120_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Usage: tsmicro");
    expect(outputs.map((f) => statSync(join(ROOT, f)).mtimeMs)).toEqual(before);
  }, 250_000);
});

describe("samples run directly with node from dist/", () => {
  it("node dist/samples/greeter/service.js --server_name=… serves under that name and exits 0 on SIGTERM", async () => {
    const name = `greeter-flag-${randomUUID().slice(0, 8)}`;
    const greeter = startNode("samples/greeter/service.js", [`--server_name=${name}`, "--register_ttl", "5"]);
    await greeter.waitFor(/greeter ready at \S+/);
    const call = await runNode("src/cli/main.js", ["call", name, "Greeter.Hello", '{"name":"Flag"}']);
    expect(call.stderr).toBe("");
    expect(JSON.parse(call.stdout)).toEqual({ greeting: "Hello Flag" });
    greeter.process.kill("SIGTERM");
    expect(await greeter.exited).toBe(0);
  });

  it("node dist/src/cli/main.js --version prints the package version", async () => {
    const res = await runNode("src/cli/main.js", ["--version"]);
    expect(res).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });
});
