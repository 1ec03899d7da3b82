import { dirname, join, sep } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");

/**
 * Type-checks `files` (absolute paths → contents, kept in memory) with `strict` as a user's
 * project would, `import … from "tsmicro"` resolving to src/index.ts; returns one line per
 * error (`file:line: message`). An unused `// @ts-expect-error` is an error too.
 */
export function typecheck(files: ReadonlyMap<string, string>, extraRoots: readonly string[] = []): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: ROOT,
    paths: { tsmicro: ["src/index.ts"] },
    typeRoots: [join(ROOT, "node_modules", "@types")],
  };
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const folders = [...files.keys()].map((f) => dirname(f));
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.directoryExists = (d) => folders.some((f) => f === d || f.startsWith(d + sep)) || (directoryExists?.call(host, d) ?? true);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = files.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile.call(host, f, lang, onError, create);
  };
  const program = ts.createProgram({ rootNames: [...files.keys(), ...extraRoots], options, host });
  const errors: string[] = [];
  for (const file of [...files.keys(), ...extraRoots]) {
    const source = program.getSourceFile(file);
    if (!source) {
      errors.push(`${file}: not in the program`);
      continue;
    }
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const { line } = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start) : { line: -1 };
      errors.push(`${file}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
  }
  return errors;
}
