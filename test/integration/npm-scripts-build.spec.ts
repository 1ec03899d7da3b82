import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, killAll, runProcess, type RunResult } from "../helpers/processes";

// scripts/build-if-stale.mjs, which `npm run micro`/`greeter`/`start` run before node: it must
// skip tsc when dist/ is current and run it whenever tsc would have work or errors to report.
// Exercised on a one-file project so each tsc run is short.
describe("scripts/build-if-stale.mjs", () => {
  let dir: string;
  const out = (): string => join(dir, "dist", "src", "a.js");
  const build = (): Promise<RunResult> => runProcess(process.execPath, [join(dir, "scripts", "build-if-stale.mjs")], { cwd: dir });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsmicro-build-"));
    mkdirSync(join(dir, "scripts"));
    mkdirSync(join(dir, "src"));
    mkdirSync(join(dir, "samples"));
    cpSync(join(ROOT, "scripts", "build-if-stale.mjs"), join(dir, "scripts", "build-if-stale.mjs"));
    symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, rootDir: ".", outDir: "dist", types: [] } }));
    writeFileSync(join(dir, "tsconfig.build.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { incremental: true, tsBuildInfoFile: "dist/tsconfig.build.tsbuildinfo" }, include: ["src", "samples"] }));
    writeFileSync(join(dir, "src", "a.ts"), "export const a: number = 1;\n");
  });

  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds when dist/ is missing, then leaves a current dist/ alone", async () => {
    expect(await build()).toMatchObject({ code: 0, stderr: "" });
    const before = statSync(out()).mtimeMs;
    expect(await build()).toMatchObject({ code: 0, stderr: "" });
    expect(statSync(out()).mtimeMs).toBe(before);
  });

  it("rebuilds after a source changes and after a file is added", async () => {
    writeFileSync(join(dir, "src", "a.ts"), "export const a: number = 2;\n");
    expect((await build()).code).toBe(0);
    expect(readFileSync(out(), "utf8")).toContain("exports.a = 2;");
    writeFileSync(join(dir, "samples", "b.ts"), "export const b = 3;\n");
    expect((await build()).code).toBe(0);
    expect(existsSync(join(dir, "dist", "samples", "b.js"))).toBe(true);
  });

  it("fails on a type error every time until it is fixed, as tsc -b does", async () => {
    writeFileSync(join(dir, "src", "a.ts"), 'export const a: number = "no";\n');
    const first = await build();
    expect(first.code).not.toBe(0);
    expect(first.stdout).toContain("TS2322");
    const second = await build();
    expect(second.code).not.toBe(0);
    expect(second.stdout).toContain("TS2322");
    writeFileSync(join(dir, "src", "a.ts"), "export const a: number = 4;\n");
    expect((await build()).code).toBe(0);
    expect(readFileSync(out(), "utf8")).toContain("exports.a = 4;");
  });
});
