import type { ResponsePacket } from "multicast-dns";
import type { ServiceRecord } from "../registry";
import { fqdn, joinHostPort, sentinelName, type MdnsAnswer } from "./records";
import { decodeTxt } from "./txt";

/** What one response packet says about one node instance. */
export type Observation =
  | { kind: "node"; instance: string; ttlSeconds: number; service: ServiceRecord }
  | { kind: "goodbye"; instance: string };

/** The parts of a response packet that carry records. */
export type RecordPacket = Pick<Partial<ResponsePacket>, "answers" | "additionals">;

/**
 * Reads the nodes a response packet announces (or says goodbye to) under `domain`. Records it
 * cannot use (other domains, sentinels, bad TXT, no address) are skipped; `onMalformed` hears
 * about undecodable TXT.
 */
export function readObservations(packet: RecordPacket, domain: string, onMalformed?: (err: unknown) => void): Observation[] {
  const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])];
  const suffix = `.${domain}.`.toLowerCase();
  const sentinelSuffix = `._services${suffix}`;
  const txts = new Map<string, MdnsAnswer & { type: "TXT" }>();
  const addresses = new Map<string, string>();
  for (const r of records) {
    const key = fqdn(r.name).toLowerCase();
    if (r.type === "TXT") txts.set(key, r);
    // Prefer IPv4 like go-micro: an A record wins over an AAAA for the same host.
    if (r.type === "A" || (r.type === "AAAA" && !addresses.has(key))) addresses.set(key, r.data);
  }
  const out: Observation[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    const name = fqdn(r.name);
    const key = name.toLowerCase();
    if (r.type !== "SRV" || !key.endsWith(suffix) || key.endsWith(sentinelSuffix) || seen.has(key)) continue;
    seen.add(key);
    const txt = txts.get(key);
    if (r.ttl === 0 || txt?.ttl === 0) {
      out.push({ kind: "goodbye", instance: key });
      continue;
    }
    if (!txt) continue;
    let decoded;
    try {
      decoded = decodeTxt(txtStrings(txt.data));
    } catch (err) {
      onMalformed?.(err);
      continue;
    }
    const serviceSuffix = `.${decoded.service}${suffix}`.toLowerCase();
    const nodeId = key.endsWith(serviceSuffix) ? name.slice(0, name.length - serviceSuffix.length) : "";
    if (!decoded.service || !nodeId) continue;
    const target = fqdn(r.data.target).toLowerCase();
    const host = addresses.get(target) ?? (target !== key ? r.data.target.replace(/\.$/, "") : undefined);
    if (!host) continue;
    const service: ServiceRecord = {
      name: decoded.service,
      version: decoded.version,
      endpoints: decoded.endpoints,
      nodes: [{ id: nodeId, address: joinHostPort(host, r.data.port), metadata: decoded.metadata }],
    };
    if (decoded.serviceMetadata) service.metadata = decoded.serviceMetadata;
    out.push({ kind: "node", instance: key, ttlSeconds: Math.min(r.ttl ?? 0, txt.ttl ?? 0), service });
  }
  // A goodbye may carry the TXT alone.
  for (const [key, txt] of txts) {
    if (txt.ttl === 0 && !seen.has(key) && key.endsWith(suffix) && !key.endsWith(sentinelSuffix)) out.push({ kind: "goodbye", instance: key });
  }
  return out;
}

/** The service names a response lists under the `_services.<domain>.` sentinel. */
export function readServiceNames(packet: RecordPacket, domain: string): string[] {
  const sentinel = sentinelName(domain).toLowerCase();
  const suffix = `._services.${domain}.`.toLowerCase();
  const names: string[] = [];
  for (const r of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
    if (r.type !== "PTR" || r.ttl === 0 || fqdn(r.name).toLowerCase() !== sentinel) continue;
    const data = fqdn(r.data);
    if (data.toLowerCase().endsWith(suffix)) names.push(data.slice(0, data.length - suffix.length));
  }
  return names.filter((n) => n.length > 0);
}

function txtStrings(data: string | Buffer | Array<string | Buffer>): Array<string | Buffer> {
  return Array.isArray(data) ? data : [data];
}
