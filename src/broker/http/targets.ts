import type { Node, ServiceRecord } from "../../registry/registry";
import type { Delivery } from "./post";
import { BROADCAST_VERSION } from "./wire";

/**
 * The candidate lists one publish to `topic` must reach, each to be tried in order until one
 * node takes the message: one list per broadcast subscriber, and one shuffled list per queue
 * group (go-micro picks one random node of each group; trying the rest is our addition).
 */
export function selectTargets(services: readonly ServiceRecord[], topic: string): Node[][] {
  const targets: Node[][] = [];
  for (const service of services) {
    const nodes = service.nodes.filter((n) => n.metadata.broker === "http" && n.metadata.topic === topic);
    if (nodes.length === 0) continue;
    if (service.version === BROADCAST_VERSION) for (const node of nodes) targets.push([node]);
    else targets.push(shuffle(nodes));
  }
  return targets;
}

/**
 * Delivers to the first candidate that takes the message; resolves with the failures when none
 * did. It stops at an `unknown` outcome: the message may have been handled, and delivery is at
 * most once.
 */
export async function deliverToOne(candidates: readonly Node[], send: (node: Node) => Promise<Delivery>): Promise<string[]> {
  const failures: string[] = [];
  for (const node of candidates) {
    const delivery = await send(node);
    if (delivery.outcome === "delivered") return [];
    failures.push(`${node.id} at ${node.address} (${delivery.reason}${delivery.outcome === "unknown" ? ", may have been handled" : ""})`);
    if (delivery.outcome === "unknown") break;
  }
  return failures;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
