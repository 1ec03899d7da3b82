import type { Message, Root } from "protobufjs";
import { FileDescriptorProto } from "protobufjs/ext/descriptor";

interface DescMessage {
  name: string;
  field?: Array<{ typeName?: string }>;
  nestedType?: DescMessage[];
  enumType?: Array<{ name: string }>;
}

interface DescFile {
  name: string;
  package?: string;
  dependency: string[];
  messageType?: DescMessage[];
  enumType?: Array<{ name: string }>;
  service?: Array<{ name: string; method?: Array<{ name: string; inputType?: string; outputType?: string }> }>;
}

/**
 * The `.proto` files behind a server's types as serialized `FileDescriptorProto`s, for server
 * reflection: protobufjs describes a Root as one file per package; the imports between those
 * files are filled in here from the types each one references, so strict descriptor pools
 * (grpcurl's, proto-loader's) can link them.
 */
export class ProtoFiles {
  private readonly encoded = new Map<string, Buffer>();
  private readonly deps = new Map<string, string[]>();
  private readonly symbols = new Map<string, string>();

  constructor(root: Root) {
    // protobufjs/ext/descriptor adds toDescriptor to Root at import time; its typings do not say so.
    const set = (root as unknown as { toDescriptor(syntax: string): { file: DescFile[] } }).toDescriptor("proto3");
    for (const file of set.file) this.index(file);
    for (const file of set.file) {
      const refs = new Set<string>();
      const visit = (m: DescMessage): void => {
        for (const f of m.field ?? []) if (f.typeName) refs.add(f.typeName.replace(/^\./, ""));
        for (const n of m.nestedType ?? []) visit(n);
      };
      for (const m of file.messageType ?? []) visit(m);
      for (const s of file.service ?? []) for (const m of s.method ?? []) for (const t of [m.inputType, m.outputType]) if (t) refs.add(t.replace(/^\./, ""));
      const deps = new Set<string>();
      for (const ref of refs) {
        const owner = this.symbols.get(ref);
        if (owner !== undefined && owner !== file.name) deps.add(owner);
      }
      file.dependency = [...deps].sort();
      this.deps.set(file.name, file.dependency);
      this.encoded.set(file.name, Buffer.from(FileDescriptorProto.encode(file as unknown as Message).finish()));
    }
  }

  /** The file defining `symbol` (a service, method, message or enum), then every file it needs; empty when unknown. */
  containing(symbol: string): Buffer[] {
    const file = this.symbols.get(symbol.replace(/^\./, ""));
    return file === undefined ? [] : this.closure(file);
  }

  /** The file named `name`, then every file it needs; empty when unknown. */
  byName(name: string): Buffer[] {
    return this.encoded.has(name) ? this.closure(name) : [];
  }

  private closure(name: string): Buffer[] {
    const seen = new Set<string>();
    const walk = (n: string): void => {
      if (seen.has(n)) return;
      seen.add(n);
      for (const d of this.deps.get(n) ?? []) walk(d);
    };
    walk(name);
    return [...seen].map((n) => this.encoded.get(n)!);
  }

  private index(file: DescFile): void {
    const prefix = file.package ? `${file.package}.` : "";
    const add = (name: string): void => void this.symbols.set(name, file.name);
    const message = (m: DescMessage, scope: string): void => {
      add(scope + m.name);
      for (const e of m.enumType ?? []) add(`${scope}${m.name}.${e.name}`);
      for (const n of m.nestedType ?? []) message(n, `${scope}${m.name}.`);
    };
    for (const m of file.messageType ?? []) message(m, prefix);
    for (const e of file.enumType ?? []) add(prefix + e.name);
    for (const s of file.service ?? []) {
      add(prefix + s.name);
      for (const m of s.method ?? []) add(`${prefix}${s.name}.${m.name}`);
    }
  }
}
