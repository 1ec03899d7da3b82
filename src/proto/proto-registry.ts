import * as path from "node:path";
import * as fs from "node:fs";
import { Method, Namespace, Root, Service, Type, type INamespace, type ReflectionObject } from "protobufjs";
import type { MessageSchema, MethodSchema } from "../codec/schema";
import { messageSchema } from "./message-schema";
import { renameInheritedFields } from "./safe-names";

/** A reflection descriptor: protobufjs's JSON form of loaded `.proto` files (its `INamespace`). */
export type ProtoDescriptor = Readonly<Record<string, unknown>>;

/** Options of {@link ProtoRegistry.load}. */
export interface ProtoLoadOptions {
  /** Folders searched for `import "x.proto"` after the importing file's own folder; default none. */
  includeDirs?: readonly string[];
}

/** One `.proto` service and its methods. */
export interface ProtoService {
  /** Fully qualified: `greeter.Greeter`. */
  name: string;
  /** The package (`greeter`), empty for none. */
  package: string;
  methods: MethodSchema[];
}

/** Finds the `.proto` method behind an endpoint; {@link ProtoRegistry} is the implementation. */
export interface ProtoLookup {
  /**
   * The method an endpoint maps to: `Greeter.Hello` → rpc `Hello` of a service named `Greeter`
   * (as go-micro maps `/greeter.Greeter/Hello`). With several such services, the one in the
   * package named `service` wins; undefined when none matches.
   */
  forEndpoint(endpoint: string, service?: string): MethodSchema | undefined;
  /** A method by its full name (`greeter.Greeter.Hello`), or the unique method taking message type `name`. */
  resolve(name: string): MethodSchema;
}

/**
 * The `.proto` types a service or client knows, loaded with protobufjs's reflection (imports
 * resolved, nested packages kept). Give it to a module as the `ProtoTypes` provider and
 * handlers whose endpoint matches an rpc method are served in protobuf and JSON.
 */
export class ProtoRegistry implements ProtoLookup {
  private readonly messages = new Map<string, MessageSchema>();
  private readonly methods = new Map<string, MethodSchema>();

  constructor(readonly root: Root) {
    renameInheritedFields(root);
    root.resolveAll();
  }

  /** Loads `.proto` files (and their imports) synchronously; throws naming the file on a parse error or a missing import. */
  static load(files: string | readonly string[], options: ProtoLoadOptions = {}): ProtoRegistry {
    const list = typeof files === "string" ? [files] : [...files];
    const root = new Root();
    const includeDirs = (options.includeDirs ?? []).map((d) => path.resolve(d));
    let current = "";
    root.resolvePath = (origin, target) => {
      current = resolveImport(origin, target, includeDirs);
      return current;
    };
    try {
      root.loadSync(list, { keepCase: false });
      return new ProtoRegistry(root);
    } catch (err) {
      const message = (err as Error).message;
      // protobufjs's parse errors give a line but not always the file.
      throw new Error(message.includes(current) ? message : `${current || list.join(", ")}: ${message}`, { cause: err });
    }
  }

  /** Rebuilds a registry from {@link ProtoRegistry.toJSON}'s descriptor (what generated code embeds). */
  static fromJSON(json: ProtoDescriptor): ProtoRegistry {
    return new ProtoRegistry(Root.fromJSON(json as INamespace));
  }

  /** The reflection descriptor of every loaded type, as JSON. */
  toJSON(): ProtoDescriptor {
    return this.root.toJSON({ keepComments: false }) as ProtoDescriptor;
  }

  /** The message type named `name` (`greeter.HelloRequest`); throws when unknown. */
  message(name: string): MessageSchema {
    const key = name.replace(/^\./, "");
    let found = this.messages.get(key);
    if (!found) {
      found = messageSchema(this.lookup(key, Type, "message type"));
      this.messages.set(key, found);
    }
    return found;
  }

  /** The rpc method named `name` (`greeter.Greeter.Hello`); throws when unknown. */
  method(name: string): MethodSchema {
    const key = name.replace(/^\./, "");
    let found = this.methods.get(key);
    if (!found) {
      found = this.methodSchema(this.lookup(key, Method, "rpc method"));
      this.methods.set(key, found);
    }
    return found;
  }

  resolve(name: string): MethodSchema {
    const target = this.root.lookup(name.replace(/^\./, ""));
    if (target instanceof Method) return this.method(target.fullName);
    if (!(target instanceof Type)) throw new Error(`"${name}" is neither an rpc method nor a message type of the loaded .proto files`);
    const taking = this.services().flatMap((s) => s.methods).filter((m) => m.request.name === target.fullName.slice(1));
    if (taking.length === 1) return taking[0]!;
    const why = taking.length === 0 ? "no rpc method takes it" : `several rpc methods take it (${taking.map((m) => m.name).join(", ")})`;
    throw new Error(`cannot tell the response type for request type "${name}": ${why}; name the method instead ("package.Service.Method")`);
  }

  forEndpoint(endpoint: string, service?: string): MethodSchema | undefined {
    const dot = endpoint.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const svc = endpoint.slice(0, dot);
    const rpc = endpoint.slice(dot + 1);
    const matches = this.services().filter((s) => (s.name === svc || s.name.endsWith(`.${svc}`)) && s.methods.some((m) => m.name === `${s.name}.${rpc}`));
    const preferred = matches.length > 1 ? matches.filter((s) => s.package === service) : matches;
    if (preferred.length > 1 || (matches.length > 1 && preferred.length === 0)) {
      throw new Error(`endpoint "${endpoint}" matches several .proto services (${matches.map((s) => s.name).join(", ")}); name one with @Handler({ proto: "package.Service.Method" })`);
    }
    const chosen = preferred[0];
    return chosen ? this.method(`${chosen.name}.${rpc}`) : undefined;
  }

  /** Every service in the loaded files, sorted by full name. */
  services(): ProtoService[] {
    const out: ProtoService[] = [];
    walk(this.root, (obj) => {
      if (!(obj instanceof Service)) return;
      const name = obj.fullName.slice(1);
      const pkg = obj.parent && obj.parent !== this.root ? obj.parent.fullName.slice(1) : "";
      out.push({ name, package: pkg, methods: obj.methodsArray.map((m) => this.method(m.fullName)) });
    });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private methodSchema(m: Method): MethodSchema {
    m.resolve();
    const service = m.parent!.fullName.slice(1);
    return {
      name: m.fullName.slice(1),
      path: `/${service}/${m.name}`,
      request: this.message(m.resolvedRequestType!.fullName),
      response: this.message(m.resolvedResponseType!.fullName),
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
    };
  }

  private lookup<T extends ReflectionObject>(name: string, kind: abstract new (...args: never[]) => T, what: string): T {
    const found = this.root.lookup(name);
    if (found instanceof kind) return found;
    throw new Error(`no ${what} "${name}" in the loaded .proto files`);
  }
}

function walk(ns: Namespace, visit: (obj: ReflectionObject) => void): void {
  for (const obj of ns.nestedArray) {
    visit(obj);
    if (obj instanceof Namespace) walk(obj, visit);
  }
}

/** protoc's rule: an import is relative to the importing file's folder, then to each include folder. */
function resolveImport(origin: string, target: string, includeDirs: readonly string[]): string {
  if (path.isAbsolute(target) || !origin) return path.resolve(target);
  const candidates = [path.resolve(path.dirname(origin), target), ...includeDirs.map((d) => path.join(d, target))];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}
