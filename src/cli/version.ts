import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The version in tsmicro's own package.json, found by walking up from this file. Read at run
 * time (not imported) so that tsc does not copy package.json into dist/, and so the same code
 * works from the repository's dist/src/cli and from node_modules/tsmicro/dist/src/cli.
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "tsmicro" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no readable package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`tsmicro's package.json not found above ${from}`);
  }
}
