import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { ROOT, killAll, runProcess, startProcess, type RunResult } from "../helpers/processes";

// The package as a user gets it: `npm pack` of a copy of this checkout (so `prepack` builds a
// clean dist/ without touching the one other specs run from), installed into an empty project
// with npm, a decorated service compiled there with the installed tsc, run with node, and called
// with the installed `tsmicro` binary; and installed from a clone the way npm installs a git
// dependency. Runs once in beforeAll; the tests inspect the result.
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const NAME = `pkg-echo-${randomUUID().slice(0, 8)}`;
const SKIP = new Set(["node_modules", "dist", ".git", "coverage"]);

/** The environment without the npm_* variables `npm test` sets, which would steer nested npm runs. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
  return { ...env, MICRO_LOG_LEVEL: "warn" };
}

/** Runs a command in `cwd`, failing with its output when it exits non-zero. */
async function must(cwd: string, command: string, args: string[]): Promise<RunResult> {
  const res = await runProcess(command, args, { cwd, env: cleanEnv(), timeoutMs: 240_000 });
  if (res.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${res.code}\n${res.stdout}\n${res.stderr}`);
  return res;
}

/** The version of a package in this checkout's node_modules, so npm finds it in its cache. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

const APP_TS = `import { IsString, Length } from "class-validator";
import { Handler, Module, Service, bootstrap } from "tsmicro";

export class EchoRequest {
  @IsString()
  @Length(1, 16)
  text!: string;
}

@Service("echo")
export class Echo {
  @Handler()
  async say(req: EchoRequest): Promise<{ echoed: string }> {
    return { echoed: req.text.toUpperCase() };
  }
}

@Module({ services: [Echo] })
export class AppModule {}

bootstrap(AppModule).then((s) => console.log(\`echo ready at \${s.server.address}\`));
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "commonjs",
    strict: true,
    esModuleInterop: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    types: ["node"],
    rootDir: "src",
    outDir: "dist",
  },
  include: ["src"],
};

const ESM_MJS = `import { Service, MicroError, createClient } from "tsmicro";
console.log(JSON.stringify({ Service: typeof Service, MicroError: typeof MicroError, createClient: typeof createClient }));
`;

describe("the packed package, installed into an empty project", () => {
  let work: string;
  let app: string;
  let gitLike: string;
  let packed: string[];
  const tsmicro = (): string => join(app, "node_modules", ".bin", "tsmicro");

  /** A copy of this checkout without dist/, like a fresh clone, using the shared node_modules. */
  function copyCheckout(to: string): string {
    cpSync(ROOT, to, { recursive: true, filter: (src) => !(SKIP.has(basename(src)) && src === join(ROOT, basename(src))) });
    symlinkSync(realpathSync(join(ROOT, "node_modules")), join(to, "node_modules"), "dir");
    return to;
  }

  /** An empty project with `deps` installed by npm from its cache. */
  async function project(dir: string, deps: string[], flags: string[] = []): Promise<string> {
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    await must(dir, "npm", ["install", ...deps, ...flags, "--prefer-offline", "--no-audit", "--no-fund"]);
    return dir;
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "tsmicro-pkg-"));
    app = join(work, "app");
    gitLike = join(work, "git-like");
    const packAndUse = async (): Promise<void> => {
      const checkout = copyCheckout(join(work, "checkout"));
      const pack = await must(checkout, "npm", ["pack", "--json", "--pack-destination", work]);
      const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as [{ filename: string; files: { path: string }[] }];
      packed = info.files.map((f) => f.path);
      await project(app, [join(work, info.filename), `typescript@${installedVersion("typescript")}`, `@types/node@${installedVersion("@types/node")}`]);
      writeFileSync(join(app, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
      writeFileSync(join(app, "src", "app.ts"), APP_TS);
      writeFileSync(join(app, "esm.mjs"), ESM_MJS);
      await must(app, join(app, "node_modules", ".bin", "tsc"), ["-p", "."]);
    };
    // A git dependency is packed from its clone by running only `prepare` (not `prepack`);
    // --install-links packs a directory the same way, without the clone.
    const installLikeGit = async (): Promise<void> => {
      await project(gitLike, [copyCheckout(join(work, "clone"))], ["--install-links"]);
    };
    await Promise.all([packAndUse(), installLikeGit()]);
  }, 600_000);

  afterAll(async () => {
    await killAll();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("ships the compiled library, its sources and README, and no tests, bench, CI files or samples", () => {
    for (const f of ["package.json", "README.md", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js", "src/index.ts"]) expect(packed).toContain(f);
    const unexpected = packed.filter((f) => !/^(dist\/src\/|src\/)/.test(f) && !["package.json", "README.md", "LICENSE"].includes(f));
    expect(unexpected).toEqual([]);
    expect(packed.filter((f) => f.endsWith(".tsbuildinfo"))).toEqual([]);
  });

  it("installs the CLI as .bin/tsmicro (and .bin/micro), and tsmicro --version prints the package version", async () => {
    expect(existsSync(tsmicro())).toBe(true);
    expect(existsSync(join(app, "node_modules", ".bin", "micro"))).toBe(true);
    const res = await runProcess(tsmicro(), ["--version"], { cwd: app, env: cleanEnv() });
    expect(res).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("runs a decorated service compiled against the package, which the installed CLI calls and validates", async () => {
    const service = startProcess(process.execPath, ["dist/app.js"], { cwd: app, env: { ...cleanEnv(), MICRO_SERVER_NAME: NAME } });
    await service.waitFor(/echo ready at \S+/, 30_000);
    const ok = await runProcess(tsmicro(), ["call", NAME, "Echo.Say", '{"text":"hi"}'], { cwd: app, env: cleanEnv() });
    expect(ok.stderr).toBe("");
    expect(JSON.parse(ok.stdout)).toEqual({ echoed: "HI" });

    const bad = await runProcess(tsmicro(), ["call", NAME, "Echo.Say", '{"text":""}'], { cwd: app, env: cleanEnv() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("400");
    expect(bad.stderr).toContain("text");

    service.process.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });

  it("builds dist/ when installed from a clone (as a git dependency), which has none", async () => {
    expect(existsSync(join(gitLike, "node_modules", "tsmicro", "dist", "src", "index.js"))).toBe(true);
    const res = await runProcess(join(gitLike, "node_modules", ".bin", "tsmicro"), ["--version"], { cwd: gitLike, env: cleanEnv() });
    expect(res).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("can be imported from an ES module (named exports of the CommonJS build)", async () => {
    const res = await runProcess(process.execPath, ["esm.mjs"], { cwd: app, env: cleanEnv() });
    expect(res.stderr).toBe("");
    expect(JSON.parse(res.stdout)).toEqual({ Service: "function", MicroError: "function", createClient: "function" });
  });
});
