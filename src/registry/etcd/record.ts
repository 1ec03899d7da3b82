import type { Endpoint, Node, ServiceRecord, Value } from "../registry";

// The value of a node key is go-micro's `registry.Service` marshalled by Go's encoding/json with
// exactly one node: every field present, in the struct's declaration order, a missing map,
// slice or pointer written as null. Writing the same bytes Go would lets a go-micro service read
// our nodes, and reading nulls back lets us read theirs.

/** Deepest `Value` nesting accepted from etcd; deeper descriptions are cut off, not recursed into. */
const MAX_VALUE_DEPTH = 32;

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };

function valueJson(v: Value | undefined, depth = 0): Json {
  if (!v) return null;
  const values = v.values && depth < MAX_VALUE_DEPTH ? v.values.map((c) => valueJson(c, depth + 1)) : null;
  return { name: v.name, type: v.type, values };
}

function endpointJson(e: Endpoint): Json {
  return { request: valueJson(e.request), response: valueJson(e.response), metadata: { ...e.metadata }, name: e.name };
}

function nodeJson(n: Node): Json {
  return { metadata: { ...n.metadata }, id: n.id, address: n.address };
}

/** The JSON go-micro stores for `node` of `service` (Go's field order and nulls). */
export function encodeNodeRecord(service: ServiceRecord, node: Node): string {
  const doc: Json = {
    name: service.name,
    version: service.version,
    metadata: service.metadata ? { ...service.metadata } : null,
    endpoints: service.endpoints.map(endpointJson),
    nodes: [nodeJson(node)],
  };
  return JSON.stringify(doc);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function readMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) if (typeof s === "string") out[k] = s;
  return out;
}

function readValue(v: unknown, depth = 0): Value | undefined {
  if (!isObject(v) || typeof v.name !== "string" || typeof v.type !== "string") return undefined;
  const out: Value = { name: v.name, type: v.type };
  if (Array.isArray(v.values) && depth < MAX_VALUE_DEPTH) {
    out.values = v.values.map((c) => readValue(c, depth + 1)).filter((c): c is Value => c !== undefined);
  }
  return out;
}

function readEndpoint(v: unknown): Endpoint | undefined {
  if (!isObject(v) || typeof v.name !== "string") return undefined;
  const out: Endpoint = { name: v.name, metadata: readMap(v.metadata) ?? {} };
  const request = readValue(v.request);
  const response = readValue(v.response);
  if (request) out.request = request;
  if (response) out.response = response;
  return out;
}

function readNode(v: unknown): Node | undefined {
  if (!isObject(v) || typeof v.id !== "string" || typeof v.address !== "string") return undefined;
  return { id: v.id, address: v.address, metadata: readMap(v.metadata) ?? {} };
}

/**
 * Reads a node key's value (written by tsmicro or go-micro) into a record with its nodes, or
 * undefined when it is not a service record (the prefix may hold anything anyone put there).
 */
export function decodeNodeRecord(text: string): ServiceRecord | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(doc) || typeof doc.name !== "string" || doc.name === "") return undefined;
  const nodes = (Array.isArray(doc.nodes) ? doc.nodes : []).map(readNode).filter((n): n is Node => n !== undefined);
  const endpoints = (Array.isArray(doc.endpoints) ? doc.endpoints : []).map(readEndpoint).filter((e): e is Endpoint => e !== undefined);
  const record: ServiceRecord = { name: doc.name, version: typeof doc.version === "string" ? doc.version : "", endpoints, nodes };
  const metadata = readMap(doc.metadata);
  if (metadata) record.metadata = metadata;
  return record;
}

/** Groups node records by version, one record per version (the first seen gives metadata and endpoints). */
export function groupByVersion(records: Iterable<ServiceRecord>): ServiceRecord[] {
  const byVersion = new Map<string, ServiceRecord>();
  for (const r of records) {
    const seen = byVersion.get(r.version);
    if (seen) seen.nodes.push(...r.nodes);
    else byVersion.set(r.version, { ...r, nodes: [...r.nodes] });
  }
  return [...byVersion.values()];
}
