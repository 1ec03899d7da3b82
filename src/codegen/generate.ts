import * as fs from "node:fs";
import * as path from "node:path";
import { ProtoRegistry } from "../proto/proto-registry";
import { emitModule } from "./emit";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Folders searched for imports after the importing file's own; default none. */
  includeDirs?: readonly string[];
  /** The module generated code imports tsmicro from; default "tsmicro". */
  importFrom?: string;
}

/** One generated file: where it goes (relative to the output folder) and its text. */
export interface GeneratedFile {
  /** `greeter.pb.ts` for `greeter.proto`. */
  name: string;
  content: string;
}

/**
 * Generates TypeScript for each `.proto` file: message interfaces with encode/decode helpers,
 * enums, and per service a method table, a handler interface and a typed client. The output
 * depends only on the files' contents and names, so the same input gives the same bytes.
 */
export function generate(protoFiles: readonly string[], options: GenerateOptions = {}): GeneratedFile[] {
  const seen = new Map<string, string>();
  return protoFiles.map((file) => {
    const source = path.basename(file);
    const name = source.replace(/\.proto$/, "") + ".pb.ts";
    const other = seen.get(name);
    if (other) throw new Error(`${file} and ${other} would both generate ${name}: generate them into different folders`);
    seen.set(name, file);
    const filename = path.resolve(file);
    if (!fs.existsSync(filename)) throw new Error(`${file}: no such file`);
    const registry = ProtoRegistry.load(filename, { includeDirs: options.includeDirs });
    return { name, content: emitModule(registry.root, { source, filename, importFrom: options.importFrom ?? "tsmicro" }) };
  });
}

/** Generates and writes the files into `outDir` (created if missing); returns the paths written. */
export function generateTo(protoFiles: readonly string[], outDir: string, options: GenerateOptions = {}): string[] {
  const files = generate(protoFiles, options);
  fs.mkdirSync(outDir, { recursive: true });
  return files.map((f) => {
    const target = path.join(outDir, f.name);
    fs.writeFileSync(target, f.content);
    return target;
  });
}
