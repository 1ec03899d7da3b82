import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// The import graph of src/, built from the source text: every relative `import … from`,
// `export … from`, side-effect `import "…"` and `import("…")`, type-only imports included
// (a type cycle still ties two modules' designs together).

const SRC = resolve(__dirname, "..", "..", "..", "src");
const PATTERNS = [
  /(?:^|[\s;])(?:import|export)\s[^;]*?\sfrom\s*["'](\.{1,2}\/[^"']*)["']/g,
  /import\s*\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)/g,
  /(?:^|[\s;])import\s*["'](\.{1,2}\/[^"']*)["']/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const deps = new Set<string>();
    for (const pattern of PATTERNS) {
      for (const m of text.matchAll(pattern)) {
        const base = resolve(dirname(file), m[1]!);
        const target = [`${base}.ts`, join(base, "index.ts")].find((p) => existsSync(p));
        if (!target) throw new Error(`${relative(SRC, file)} imports ${m[1]}, which does not resolve to a .ts file`);
        deps.add(target);
      }
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Every cycle a depth-first search meets, each as `a.ts -> b.ts -> a.ts`. */
function cycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === "open") found.push([...stack.slice(stack.indexOf(dep)), dep].map((f) => relative(SRC, f)).join(" -> "));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

function reachable(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [join(SRC, from)];
  for (let f = todo.pop(); f; f = todo.pop()) {
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...(graph.get(f) ?? []));
  }
  return new Set([...seen].map((f) => relative(SRC, f)));
}

describe("the import graph of src/", () => {
  const graph = importGraph();

  it("sees the whole tree", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get(join(SRC, "index.ts"))?.length).toBeGreaterThan(10);
  });

  // Regression: client/client.ts ↔ metadata/context.ts.
  it("has no import cycles, type-only imports included", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("keeps pino out of core: contexts, server and client do not import the pino logger", () => {
    for (const core of ["metadata/context.ts", "server/rpc-server.ts", "client/rpc-client.ts", "service/service.ts"]) {
      expect([...reachable(graph, core)]).not.toContain("logger/pino-logger.ts");
    }
  });

  // Regression: the HTTP broker borrowed the http transport's internals and the selector's cache.
  it("keeps broker, selector and transports apart: what they share lives in internal/ or registry/", () => {
    const direct = (dir: string): string[] =>
      [...graph.entries()].filter(([f]) => relative(SRC, f).startsWith(dir)).flatMap(([, deps]) => deps.map((d) => relative(SRC, d)));
    expect(direct("broker/")).toContain("internal/http/wire.ts");
    expect(direct("broker/").filter((d) => /^(selector|transport\/(http|tcp))\//.test(d))).toEqual([]);
    expect(direct("selector/").filter((d) => /^(broker|transport)\//.test(d))).toEqual([]);
    expect(direct("transport/").filter((d) => /^(broker|selector)\//.test(d))).toEqual([]);
  });
});
