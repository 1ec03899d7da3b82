/** What the start-up summary shows. */
export interface StartupInfo {
  service: string;
  version: string;
  node: string;
  /** The advertised address. */
  address: string;
  /** Family → provider name and where the choice came from (default, module, env, flag). */
  providers: ReadonlyMap<string, { name: string; source: string }>;
  /** "off" or how traces leave the process. */
  tracing: string;
  /** "" or where /metrics is served. */
  metrics: string;
}

/**
 * The block a service prints once it serves, on a terminal, instead of one JSON line per
 * provider: what runs where, and which setting chose each part.
 */
export function startupSummary(i: StartupInfo): string {
  const rows: Array<[string, string]> = [
    ["node", i.node],
    ["address", i.address],
    ...[...i.providers].map(([family, p]): [string, string] => [family, `${p.name.padEnd(10)} (${p.source})`]),
    ["tracing", i.tracing],
    ["metrics", i.metrics ? `http://${i.metrics}/metrics` : "off"],
  ];
  return [`${i.service} ${i.version} ready`, ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}`)].join("\n");
}
