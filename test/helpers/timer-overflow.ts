import { spawn } from "node:child_process";
import { join } from "node:path";

/** The longest delay Node's timers hold, in ms; anything above fires after 1 ms with a TimeoutOverflowWarning. */
const TIMEOUT_MAX = 2 ** 31 - 1;

/**
 * Records every delay handed to setTimeout/setInterval that Node would not honour (above
 * 2^31-1 ms, or not a number), while still running the timers. Jest's sandboxed `process`
 * never sees 'warning' events, so in-process specs check the cause instead.
 */
export function watchTimerDelays(): { overflows: unknown[]; restore(): void } {
  const spies = [jest.spyOn(globalThis, "setTimeout"), jest.spyOn(globalThis, "setInterval")];
  return {
    get overflows(): unknown[] {
      const delays = spies.flatMap((s) => s.mock.calls.map((c) => c[1] as unknown));
      return delays.filter((ms) => ms !== undefined && !(typeof ms === "number" && ms <= TIMEOUT_MAX));
    },
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

/**
 * Runs `code` (CommonJS JavaScript that may require `src/*.ts`, compiled on the fly by swc as
 * Jest does) in a fresh Node process, listening on its real process 'warning' event; resolves with its stdout and the
 * names of the warnings it emitted. The process is killed by PID if it outlives `timeoutMs`.
 */
export function runWithWarnings(code: string, timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string; warnings: string[] }> {
  const root = join(__dirname, "..", "..");
  // swc, with the options jest.config.ts uses: ts-node would take seconds to compile src/.
  const hook = `const __swc = require("@swc/core"); const __fs = require("node:fs");
    require.extensions[".ts"] = (m, file) => m._compile(__swc.transformSync(__fs.readFileSync(file, "utf8"), {
      filename: file, module: { type: "commonjs" },
      jsc: { target: "es2022", parser: { syntax: "typescript", decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } },
    }).code, file);\n`;
  const prelude = hook + `const __warnings = []; process.on("warning", (w) => __warnings.push(w.name)); process.on("exit", () => process.stderr.write("\\nWARNINGS " + JSON.stringify(__warnings) + "\\n"));\n`;
  const child = spawn(process.execPath, ["-e", prelude + code], {
    cwd: root,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(child.pid!, "SIGKILL");
      reject(new Error(`child did not finish within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      const m = /WARNINGS (\[.*\])/.exec(stderr);
      resolve({ code: exitCode ?? -1, stdout, stderr, warnings: m ? (JSON.parse(m[1]!) as string[]) : ["<no report>"] });
    });
  });
}
