import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

// Every ```ts block in README.md and docs/*.md is type-checked against src/ as a user would
// compile it: `import … from "tsmicro"` resolves to src/index.ts. A block marked as a fragment
// (fence "```ts fragment" or an `<!-- fragment -->` line just before it) is skipped, and
// counted. Each document's blocks are files of one virtual folder: a block whose first line is
// `// name.ts` is importable by the others as "./name", and "./greeter" is the greeter sample
// unless the document defines its own (likewise "./greeter.pb", its generated code).

const ROOT = join(__dirname, "..", "..");
const VIRTUAL = join(ROOT, "test", "docs", ".snippets");

interface Snippet {
  doc: string;
  line: number;
  code: string;
  fragment: boolean;
  file: string;
}

/** The ```ts blocks of one markdown file. */
function extractSnippets(doc: string, markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const out: Snippet[] = [];
  const folder = join(VIRTUAL, doc.replace(/[/.]/g, "_"));
  for (let i = 0; i < lines.length; i++) {
    const open = /^```ts(?:\s+(.*))?$/.exec(lines[i]!);
    if (!open) continue;
    const fragment = (open[1] ?? "").split(/\s+/).includes("fragment") || /^<!--\s*fragment\s*-->$/.test(lines[i - 1]?.trim() ?? "");
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== "```") end++;
    const code = lines.slice(start, end).join("\n");
    const named = /^\/\/ ([\w.-]+\.ts)$/.exec(lines[start] ?? "");
    out.push({ doc, line: start + 1, code, fragment, file: join(folder, named ? named[1]! : `snippet-${start + 1}.ts`) });
    i = end;
  }
  return out;
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join("docs", f));
  return ["README.md", ...docs];
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts"],
  types: ["node", "jest"],
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  baseUrl: ROOT,
  paths: { tsmicro: ["src/index.ts"], "tsmicro/registry/etcd": ["src/registry/etcd/index.ts"], "tsmicro/broker/nats": ["src/broker/nats/index.ts"], "tsmicro/transport/nats": ["src/transport/nats/index.ts"] },
};

/** Type-checks the snippets; returns one message per error, with the markdown line. */
function check(snippets: readonly Snippet[]): string[] {
  const virtual = new Map<string, string>();
  const origin = new Map<string, Snippet>();
  for (const s of snippets) {
    // `export {}` makes every block a module, so blocks never share a global scope.
    virtual.set(s.file, `${s.code}\nexport {};\n`);
    origin.set(s.file, s);
    const greeter = join(s.file, "..", "greeter.ts");
    if (!snippets.some((o) => o.file === greeter)) virtual.set(greeter, `export * from ${JSON.stringify(join(ROOT, "samples", "greeter", "greeter"))};\n`);
    // The greeter sample imports its generated code, which a document shows but never defines.
    const generated = join(s.file, "..", "greeter.pb.ts");
    if (!snippets.some((o) => o.file === generated)) virtual.set(generated, `export * from ${JSON.stringify(join(ROOT, "samples", "greeter", "greeter.pb"))};\n`);
  }
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.directoryExists = (d) => d.startsWith(VIRTUAL) || (directoryExists?.call(host, d) ?? true);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile.call(host, f, lang, onError, create);
  };
  const program = ts.createProgram({ rootNames: [...origin.keys()], options, host });
  const errors: string[] = [];
  for (const [file, s] of origin) {
    const source = program.getSourceFile(file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const d of diagnostics) {
      const { line } = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start) : { line: 0 };
      errors.push(`${s.doc}:${s.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
  }
  return errors;
}

describe("code blocks in README.md and docs/*.md", () => {
  const all = markdownFiles().flatMap((doc) => extractSnippets(doc, readFileSync(join(ROOT, doc), "utf8")));
  const checked = all.filter((s) => !s.fragment);
  const skipped = all.filter((s) => s.fragment);
  // A block that must fail, compiled in the same program (one program keeps the run short):
  // proof that the checker reports errors at the right markdown line.
  const [bad] = extractSnippets("bad.md", '```ts\nimport { createClient } from "tsmicro";\nconst n: number = createClient;\n```\n');
  let errors: string[] = [];
  beforeAll(() => {
    errors = check([...checked, bad!]);
  });

  it("finds the blocks, and marks fragments explicitly", () => {
    expect(checked.length).toBeGreaterThan(20);
    // Shown in the test output so a reader sees what was not compiled.
    console.log(
      `${checked.length} ts blocks type-checked, ${skipped.length} skipped as fragments` +
        (skipped.length ? `: ${skipped.map((s) => `${s.doc}:${s.line}`).join(", ")}` : ""),
    );
  });

  it("type-check against src/ as written", () => {
    expect(errors.filter((e) => !e.startsWith("bad.md:"))).toEqual([]);
  });

  it("show the greeter sample's code where README and getting-started say they do", () => {
    const sample = (file: string): string => readFileSync(join(ROOT, "samples", "greeter", file), "utf8").replace('"../../src"', '"tsmicro"');
    const blocks = (doc: string): string[] => all.filter((s) => s.doc === doc).map((s) => `${s.code}\n`);
    expect(blocks("README.md")).toContain(sample("greeter.ts"));
    expect(blocks("docs/getting-started.md")).toContain(sample("greeter.ts"));
    expect(blocks("docs/getting-started.md")).toContain(sample("service.ts"));
  });

  it("reports a block with a type error at its markdown line (the checker is not vacuous)", () => {
    expect(errors.filter((e) => e.startsWith("bad.md:"))).toEqual([expect.stringMatching(/^bad\.md:3: Type .* is not assignable to type 'number'/)]);
  });
});
