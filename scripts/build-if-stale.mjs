// Runs `tsc -b tsconfig.build.json` only when dist/ may be out of date, so `npm run micro`,
// `npm run greeter` and `npm start` do not pay for loading the compiler (about a second) on
// every call. It makes the same comparison `tsc -b` makes (newest input against the build info
// file) plus directory times, which change when a file is added, removed or renamed. A build
// that reported errors is always repeated, so they are reported again, as `tsc -b` does.
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

/** True when the last build is newer than every input and reported no errors. */
function upToDate() {
  const built = statSync(BUILD_INFO, { throwIfNoEntry: false });
  if (!built || INPUTS.some((input) => newest(join(ROOT, input)) > built.mtimeMs)) return false;
  try {
    return JSON.parse(readFileSync(BUILD_INFO, "utf8")).errors !== true;
  } catch {
    return false;
  }
}

if (!upToDate()) {
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  process.exit(result.status ?? 1);
}
