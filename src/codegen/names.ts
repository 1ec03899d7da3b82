import { Namespace, Service, Type, Enum, type ReflectionObject } from "protobufjs";

// Names that would shadow what generated code (or the TypeScript it compiles with) relies on.
const RESERVED = new Set(["Array", "Boolean", "Date", "Error", "Map", "Number", "Object", "Promise", "Record", "Set", "String", "Symbol", "Uint8Array", "Client", "CallOptions", "Context", "MethodSchema", "ProtoDescriptor", "ProtoMessage", "ProtoRegistry", "StreamInput"]);

/** The package a reflection object is declared in (`greeter`, `demo.all`), empty for none. */
export function packageOf(obj: ReflectionObject): string {
  let p = obj.parent;
  while (p && (p instanceof Type || p instanceof Service || p instanceof Enum)) p = p.parent;
  return p && p instanceof Namespace && p.parent ? p.fullName.slice(1) : "";
}

/**
 * The TypeScript name of a message or enum: its name within its package, nested names joined
 * with "_" (`Everything_Inner`); types of another package than the file's get that package in
 * PascalCase in front (`DemoCommon_Point`).
 */
export function tsNameOf(obj: ReflectionObject, filePackage: string): string {
  const pkg = packageOf(obj);
  const local = obj.fullName.slice(1 + (pkg ? pkg.length + 1 : 0)).split(".").join("_");
  const name = pkg === filePackage ? local : `${pkg.split(".").map(upperFirst).join("")}_${local}`;
  return RESERVED.has(name) ? `${name}_` : name;
}

/** `Hello` → `hello`, `GetUser` → `getUser`. */
export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** `greeter` → `Greeter`. */
export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `greeter_v1.proto` → `GreeterV1`: the file's name as a PascalCase identifier. */
export function pascalFromFile(base: string): string {
  const words = base.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map(upperFirst).join("");
  return /^[A-Za-z_]/.test(name) ? name : `P${name}`;
}

/** A property key as written in an interface: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}
