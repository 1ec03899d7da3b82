import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProgram } from "../../../src/cli/program";
import { packageVersion } from "../../../src/cli/version";

describe("packageVersion", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tsmicro-version-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads this checkout's version from src/cli", () => {
    const root = join(__dirname, "..", "..", "..");
    expect(packageVersion(join(root, "src", "cli"))).toBe((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version);
  });

  it("walks up past other packages' package.json to tsmicro's, as installed under node_modules", () => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", version: "9.9.9" }));
    const pkg = join(dir, "node_modules", "tsmicro");
    mkdirSync(join(pkg, "dist", "src", "cli"), { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "tsmicro", version: "1.2.3" }));
    expect(packageVersion(join(pkg, "dist", "src", "cli"))).toBe("1.2.3");
  });

  it("fails with a message naming where it looked when there is no tsmicro package.json", () => {
    expect(() => packageVersion(dir)).toThrow(`tsmicro's package.json not found above ${dir}`);
  });
});

describe("the program's --version", () => {
  it("prints the version it was given and exits 0", async () => {
    let out = "";
    const program = buildProgram({ connect: () => Promise.reject(new Error("not used")), out: (t) => (out += t), err: () => undefined }, { name: "tsmicro", version: "1.2.3" });
    await expect(program.parseAsync(["node", "tsmicro", "--version"])).rejects.toMatchObject({ code: "commander.version", exitCode: 0 });
    expect(out).toBe("1.2.3\n");
  });
});
