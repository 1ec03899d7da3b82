// Runs `tsc -b tsconfig.build.json` only when dist/ may be out of date, so `npm run micro`,
// `npm run greeter` and `npm start` do not pay for loading the compiler (about a second) on
// every call. It makes the same comparison `tsc -b` makes (newest input against the build info
// file) plus directory times, which change when a file is added, removed or renamed. A build
// that reported errors, left work pending or came from another TypeScript version is always
// repeated (tsc then reports the errors again), mirroring tsc's own up-to-date check.
// Usage: node scripts/build-if-stale.mjs (from package.json scripts).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const INPUTS = ["src", "samples", "tsconfig.json", "tsconfig.build.json"];
const BUILD_INFO = join(ROOT, "dist", "tsconfig.build.tsbuildinfo");

/** The newest modification time under `path` (0 when it does not exist). */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  let time = stat.mtimeMs;
  if (stat.isDirectory()) for (const entry of readdirSync(path)) time = Math.max(time, newest(join(path, entry)));
  return time;
}

/** True when the build info records a finished build without errors by this TypeScript. */
function finished(info, tscVersion) {
  const some = (list) => Array.isArray(list) && list.length > 0;
  return (
    info.version === tscVersion &&
    !info.errors &&
    !info.checkPending &&
    info.pendingEmit === undefined &&
    ![info.changeFileSet, info.semanticDiagnosticsPerFile, info.emitDiagnosticsPerFile, info.affectedFilesPendingEmit].some(some)
  );
}

/** True when the last build is newer than every input and finished cleanly. */
function upToDate() {
  const built = statSync(BUILD_INFO, { throwIfNoEntry: false });
  if (!built || INPUTS.some((input) => newest(join(ROOT, input)) > built.mtimeMs)) return false;
  try {
    const tsc = JSON.parse(readFileSync(join(ROOT, "node_modules", "typescript", "package.json"), "utf8"));
    return finished(JSON.parse(readFileSync(BUILD_INFO, "utf8")), tsc.version);
  } catch {
    return false;
  }
}

if (!upToDate()) {
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  process.exit(result.status ?? 1);
}
