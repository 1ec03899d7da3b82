import { isIP } from "node:net";
import type { ResponsePacket } from "multicast-dns";
import { badRequest } from "../../errors";
import type { ServiceRecord } from "../registry";
import { encodeTxt } from "./txt";

/** One DNS resource record as multicast-dns sends and receives it. */
export type MdnsAnswer = ResponsePacket["answers"][number];

/** One node this process advertises, with everything needed to answer for it. */
export interface LocalNode {
  /** Fully qualified instance name, `<nodeId>.<service>.<domain>.`. */
  instance: string;
  /** The node as a one-node ServiceRecord (what getService and watchers report). */
  record: ServiceRecord;
  host: string;
  port: number;
  txt: string[];
}

/** Port go-micro advertises in its `_services` sentinel records (they carry no real address). */
const SENTINEL_PORT = 9999;

/** `<service>.<domain>.`, the name PTR queries for a service ask about. */
export const serviceName = (service: string, domain: string): string => `${service}.${domain}.`;
/** `<nodeId>.<service>.<domain>.`, one node's instance name. */
export const instanceName = (nodeId: string, service: string, domain: string): string => `${nodeId}.${service}.${domain}.`;
/** `_services.<domain>.`, the sentinel name `listServices` queries. */
export const sentinelName = (domain: string): string => `_services.${domain}.`;
/** `_services._dns-sd._udp.<domain>.`, the DNS-SD service enumeration name. */
export const enumerationName = (domain: string): string => `_services._dns-sd._udp.${domain}.`;

/** `name` with exactly one trailing dot (dns-packet decodes names without it). */
export const fqdn = (name: string): string => (name.endsWith(".") ? name : `${name}.`);

/** Splits `host:port` (or `[v6]:port`); throws a 400 MicroError when either part is missing. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw badRequest(`mdns registry: node address "${address}" is not host:port`);
  }
  return { host: m[1], port };
}

/** Joins host and port, bracketing IPv6 hosts. */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Builds the LocalNode of every node of `service`; validates everything before returning. */
export function toLocalNodes(service: ServiceRecord, domain: string): LocalNode[] {
  return service.nodes.map((node) => {
    const instance = instanceName(node.id, service.name, domain);
    checkName(instance);
    const { host, port } = splitHostPort(node.address);
    const txt = encodeTxt({
      service: service.name,
      version: service.version,
      endpoints: service.endpoints,
      metadata: node.metadata,
      serviceMetadata: service.metadata,
    });
    return { instance, host, port, txt, record: structuredClone({ ...service, nodes: [node] }) };
  });
}

/** The records announcing `node` in answer to a PTR query for its service: PTR, SRV, TXT, A/AAAA. */
export function nodeAnswers(node: LocalNode, domain: string, ttl: number): MdnsAnswer[] {
  const ptr: MdnsAnswer = { name: serviceName(node.record.name, domain), type: "PTR", ttl, data: node.instance };
  return [ptr, ...instanceAnswers(node, ttl)];
}

/** The records describing one instance: SRV, TXT and, when the host is an IP, A or AAAA. */
export function instanceAnswers(node: LocalNode, ttl: number): MdnsAnswer[] {
  const family = isIP(node.host);
  // The SRV target is the instance name itself when the address is an IP, so the A record can
  // never be confused with another node's; a host name is advertised as the target instead.
  const target = family ? node.instance : `${node.host.replace(/\.$/, "")}.`;
  const out: MdnsAnswer[] = [
    { name: node.instance, type: "SRV", ttl, flush: true, data: { priority: 10, weight: 1, port: node.port, target } },
    { name: node.instance, type: "TXT", ttl, flush: true, data: [...node.txt] },
  ];
  if (family === 4) out.push({ name: target, type: "A", ttl, flush: true, data: node.host });
  if (family === 6) out.push({ name: target, type: "AAAA", ttl, flush: true, data: node.host });
  return out;
}

/**
 * The `_services` sentinel for one service, shaped like go-micro's (PTR to
 * `<service>._services.<domain>.`, SRV on port 9999, empty TXT, A 0.0.0.0), so go-micro's
 * ListServices sees it as a complete entry.
 */
export function sentinelAnswers(service: string, domain: string, ttl: number): MdnsAnswer[] {
  const name = `${service}._services.${domain}.`;
  return [
    { name: sentinelName(domain), type: "PTR", ttl, data: name },
    { name, type: "SRV", ttl, flush: true, data: { priority: 10, weight: 1, port: SENTINEL_PORT, target: name } },
    { name, type: "TXT", ttl, flush: true, data: [""] },
    { name, type: "A", ttl, flush: true, data: "0.0.0.0" },
  ];
}

/** Longest TTL a unicast answer to a one-shot (legacy) query may carry, in seconds (RFC 6762 §6.7). */
export const LEGACY_UNICAST_MAX_TTL = 10;

/**
 * `answers` as a unicast reply to a one-shot querier (one not on the mDNS port) must carry them:
 * TTL at most {@link LEGACY_UNICAST_MAX_TTL} and no cache-flush bit. Plain DNS resolvers read
 * that bit as part of the class (32769 instead of IN) and reject the packet (RFC 6762 §10.2).
 */
export function legacyUnicastAnswers(answers: readonly MdnsAnswer[]): MdnsAnswer[] {
  return answers.map((a) =>
    a.type === "OPT" ? a : { ...a, flush: false, ttl: Math.min(a.ttl ?? LEGACY_UNICAST_MAX_TTL, LEGACY_UNICAST_MAX_TTL) },
  );
}

function checkName(name: string): void {
  const labels = name.slice(0, -1).split(".");
  if (name.length > 254 || labels.some((l) => l.length === 0 || Buffer.byteLength(l) > 63)) {
    throw badRequest(`mdns registry: "${name}" is not a valid DNS name (empty label, label over 63 bytes or name over 253)`);
  }
}
