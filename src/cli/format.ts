import type { ServiceRecord, Value } from "../registry/registry";

/** Renders a Value tree as an indented `name type` list. */
export function formatValue(v: Value, indent = ""): string {
  const lines = [`${indent}${v.name} ${v.type}`];
  for (const child of v.values ?? []) lines.push(formatValue(child, `${indent}  `));
  return lines.join("\n");
}

/** Renders `micro get service` output: each version, its nodes and endpoints. */
export function formatService(records: readonly ServiceRecord[]): string {
  const out: string[] = [];
  for (const r of records) {
    out.push(`service  ${r.name}`, "", `version  ${r.version}`, "");
    out.push("ID\tAddress\tMetadata");
    for (const n of r.nodes) {
      const md = Object.entries(n.metadata).map(([k, v]) => `${k}=${v}`).join(",");
      out.push(`${n.id}\t${n.address}\t${md}`);
    }
    for (const e of r.endpoints) {
      out.push("", `Endpoint: ${e.name}`);
      out.push("", "Request:", e.request ? formatValue(e.request, "  ") : "  {}");
      out.push("", "Response:", e.response ? formatValue(e.response, "  ") : "  {}");
    }
    out.push("");
  }
  return out.join("\n");
}
