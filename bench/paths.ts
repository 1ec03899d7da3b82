import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The checkout's root: the nearest directory above this file that has bench/tsconfig.json. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "bench", "tsconfig.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no bench/tsconfig.json above ${__dirname}`);
  }
}
