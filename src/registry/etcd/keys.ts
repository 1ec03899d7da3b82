// go-micro's key layout: `<prefix><service>/<node-id>`, with "/" inside either name replaced by
// "-" so a name cannot add a level to the key.

const flat = (part: string): string => part.replaceAll("/", "-");

/** The key holding one node: `<prefix><service>/<node-id>`. */
export function nodeKey(prefix: string, service: string, nodeId: string): string {
  return `${prefix}${flat(service)}/${flat(nodeId)}`;
}

/** The prefix of every node key of `service` (with the trailing "/", so "greeter" does not match "greeter2"). */
export function servicePrefix(prefix: string, service: string): string {
  return `${prefix}${flat(service)}/`;
}

/** Service and node id from a node key, or undefined for a key of some other shape. */
export function parseNodeKey(prefix: string, key: string): { service: string; nodeId: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf("/");
  if (slash <= 0 || slash === rest.length - 1 || rest.indexOf("/", slash + 1) >= 0) return undefined;
  return { service: rest.slice(0, slash), nodeId: rest.slice(slash + 1) };
}
