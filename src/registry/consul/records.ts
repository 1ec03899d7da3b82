import { joinHostPort, splitHostPort } from "../../internal/address";
import type { Node, ServiceRecord } from "../registry";
import type { HealthEntry, ServiceRegistration } from "./agent-client";
import { decodeTags, encodeTags } from "./tags";

/** Consul's rules for a Meta key: ≤128 chars of letters, digits, `-`, `_`, not starting "consul-". */
const META_KEY = /^[A-Za-z0-9_-]{1,128}$/;
const META_VALUE_MAX = 512;
const META_PAIRS_MAX = 64;

/** The health check ID Consul gives the single check registered with a service. */
export function checkIdOf(nodeId: string): string {
  return `service:${nodeId}`;
}

/**
 * DeregisterCriticalServiceAfter for a TTL, as go-micro sets it: the TTL plus 5 s, and never
 * under Consul's 1-minute floor (plus the same 5 s).
 */
export function deregisterAfterMs(ttlMs: number): number {
  return Math.max(ttlMs, 60_000) + 5_000;
}

/**
 * One node of `service` as a Consul agent service, where go-micro puts each part: the node ID as
 * the service ID, address/port split, endpoints, version and node metadata in tags, and node
 * metadata also in Meta (the pairs Consul accepts there; the tags keep every pair).
 */
export function toRegistration(service: ServiceRecord, node: Node, ttlMs: number): ServiceRegistration {
  const { host, port } = splitHostPort(node.address);
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.metadata)) {
    if (Object.keys(meta).length >= META_PAIRS_MAX) break;
    if (META_KEY.test(k) && !k.startsWith("consul-") && v.length <= META_VALUE_MAX) meta[k] = v;
  }
  const reg: ServiceRegistration = {
    id: node.id,
    name: service.name,
    tags: encodeTags(service.version, service.endpoints, node.metadata, service.metadata),
    address: host,
    port,
    meta,
  };
  if (ttlMs > 0) {
    reg.check = { name: `Service '${service.name}' check`, ttl: `${Math.ceil(ttlMs)}ms`, deregistercriticalserviceafter: `${deregisterAfterMs(ttlMs)}ms` };
  }
  return reg;
}

/** Each healthy instance in `entries` as a one-node record, keyed by node ID. Critical instances are skipped, as go-micro does. */
export function nodesOf(name: string, entries: readonly HealthEntry[]): Map<string, ServiceRecord> {
  const out = new Map<string, ServiceRecord>();
  for (const e of entries) {
    const s = e?.Service;
    if (!s || s.Service !== name || typeof s.ID !== "string") continue;
    if ((e.Checks ?? []).some((c) => c?.Status === "critical")) continue;
    const tags = decodeTags(s.Tags ?? []);
    const host = s.Address || e.Node?.Address || "";
    // Tags hold every pair; Meta is what go-micro v4 reads, so a go-micro node with only Meta still shows its metadata.
    const metadata = { ...(s.Meta ?? {}), ...tags.nodeMetadata };
    const record: ServiceRecord = { name, version: tags.version, endpoints: tags.endpoints, nodes: [{ id: s.ID, address: joinHostPort(host, s.Port ?? 0), metadata }] };
    if (tags.serviceMetadata) record.metadata = tags.serviceMetadata;
    out.set(s.ID, record);
  }
  return out;
}

/** One-node records grouped into one record per version, as `getService` returns them. */
export function groupByVersion(nodes: Iterable<ServiceRecord>): ServiceRecord[] {
  const byVersion = new Map<string, ServiceRecord>();
  for (const r of nodes) {
    const have = byVersion.get(r.version);
    if (have) have.nodes.push(...r.nodes);
    else byVersion.set(r.version, { ...r, nodes: [...r.nodes] });
  }
  return [...byVersion.values()];
}

/** `/v1/catalog/services` as records without nodes: one per version found in each service's `v-` tags. */
export function servicesOf(catalog: Record<string, string[]>): ServiceRecord[] {
  const out: ServiceRecord[] = [];
  for (const [name, tags] of Object.entries(catalog)) {
    const versions = [...new Set((tags ?? []).filter((t) => /^v[-=]/.test(t)).map((t) => decodeTags([t]).version))];
    for (const version of versions.length > 0 ? versions : [""]) out.push({ name, version, endpoints: [], nodes: [] });
  }
  return out;
}
