import { parseArgs } from "node:util";
import { DEFAULT_RPC_CLIENT_OPTIONS } from "../client/options";
import { parseLogFormat } from "../logger/format";
import { parseLogLevel } from "../logger/levels";
import { checkRegistryDomain, DEFAULT_REGISTRY_DOMAIN } from "../registry/mdns/options";
import { DEFAULT_STRATEGY_NAME } from "../selector/options";
import { advertiseAddress } from "../server/advertise";
import { DEFAULT_RPC_SERVER_OPTIONS } from "../server/options";
import { splitHostPort } from "../internal/address";
import { parseDuration } from "./duration";

/** Where a setting's value came from, lowest precedence first. */
export type ConfigSource = "default" | "module" | "env" | "flag";

/** The settings that flags and `MICRO_*` variables control. */
export interface MicroSettings {
  /** Registry provider name; default "mdns". */
  registry: string;
  /** Registry addresses (comma separated on the command line). */
  registryAddress: string[];
  /** Registry namespace: registries with different domains do not see each other; default "micro" (go-micro's). */
  registryDomain: string;
  /** Transport provider name; default "tcp" (which also answers HTTP on the same port). */
  transport: string;
  /** Broker provider name; default "http". */
  broker: string;
  /** Broker address, for brokers that connect to a server. */
  brokerAddress: string[];
  /** Selector strategy: random, roundrobin or leastconn; default "random". */
  selector: string;
  /** Service name; default "" (the `@Service` name). */
  serverName: string;
  /** Listen address; default 127.0.0.1:0. */
  serverAddress: string;
  /**
   * Address to advertise instead of the bound one (host, or host:port); default "": the bound
   * address, except that a wildcard bind (0.0.0.0, ::) advertises 127.0.0.1.
   */
  serverAdvertise: string;
  /** Registration TTL, ms; default 90000 (flag in seconds or a duration). */
  registerTtlMs: number;
  /** Re-registration interval, ms; default 30000. */
  registerIntervalMs: number;
  /** Default call budget, ms; default 5000. */
  clientTimeoutMs: number;
  /** Default extra attempts; default 1. */
  clientRetries: number;
  /** Minimum log level of the default logger (one of `LOG_LEVELS`); default "info" (a standalone client: "warn"). */
  logLevel: string;
  /** Default logger's output: "auto" (pretty on a terminal, else JSON), "json" or "pretty". */
  logFormat: string;
  /** Where to serve Prometheus `/metrics` (host:port); default "" (off). */
  metricsAddress: string;
}

/** Resolved settings plus where each came from. */
export interface MicroConfig extends MicroSettings {
  sources: Record<keyof MicroSettings, ConfigSource>;
}

/**
 * Defaults of every setting. Numbers the server and client also default on their own come from
 * their options files (`DEFAULT_RPC_SERVER_OPTIONS`, `DEFAULT_RPC_CLIENT_OPTIONS`), so each is
 * written down once.
 */
export const DEFAULT_SETTINGS: MicroSettings = {
  registry: "mdns",
  registryAddress: [],
  registryDomain: DEFAULT_REGISTRY_DOMAIN,
  transport: "tcp",
  broker: "http",
  brokerAddress: [],
  selector: DEFAULT_STRATEGY_NAME,
  serverName: "",
  serverAddress: DEFAULT_RPC_SERVER_OPTIONS.address,
  serverAdvertise: "",
  registerTtlMs: DEFAULT_RPC_SERVER_OPTIONS.registerTtlMs,
  registerIntervalMs: DEFAULT_RPC_SERVER_OPTIONS.registerIntervalMs,
  clientTimeoutMs: DEFAULT_RPC_CLIENT_OPTIONS.timeoutMs,
  clientRetries: DEFAULT_RPC_CLIENT_OPTIONS.retries,
  logLevel: "info",
  logFormat: "auto",
  metricsAddress: "",
};

type Parser = (text: string) => MicroSettings[keyof MicroSettings];
const list: Parser = (t) => t.split(",").map((s) => s.trim()).filter(Boolean);
const str: Parser = (t) => {
  // An empty flag would silently fall back to the default (say, the shared name "greeter").
  if (t.trim() === "") throw new Error("needs a value");
  return t.trim();
};
const address: Parser = (t) => {
  splitHostPort(t.trim()); // throws `invalid address "…": want host:port`
  return t.trim();
};
// A host alone (the bound port is used) or host:port; IPv6 hosts in brackets. Never a wildcard.
const advertise: Parser = (t) => {
  const v = String(str(t));
  const out = /^\[[^\]]+\]$/.test(v) || !v.includes(":") ? v : String(address(v));
  advertiseAddress(out, "127.0.0.1:0"); // throws for 0.0.0.0 / :: with a sentence saying why
  return out;
};
const seconds: Parser = (t) => parseDuration(t, 1000);
const level: Parser = (t) => parseLogLevel(t);
const format: Parser = (t) => parseLogFormat(t);
const int: Parser = (t) => {
  if (!/^\d+$/.test(t.trim())) throw new Error(`"${t}" is not a whole number`);
  return Number(t);
};

/** flag name (as on the command line) → setting, parser. Env twin: MICRO_<FLAG upper>. */
export const FLAGS: ReadonlyArray<[flag: string, key: keyof MicroSettings, parse: Parser]> = [
  ["registry", "registry", str],
  ["registry_address", "registryAddress", list],
  ["registry_domain", "registryDomain", (t) => checkRegistryDomain(t)],
  ["transport", "transport", str],
  ["broker", "broker", str],
  ["broker_address", "brokerAddress", list],
  ["selector", "selector", str],
  ["server_name", "serverName", str],
  ["server_address", "serverAddress", address],
  ["server_advertise", "serverAdvertise", advertise],
  ["register_ttl", "registerTtlMs", seconds],
  ["register_interval", "registerIntervalMs", seconds],
  ["client_timeout", "clientTimeoutMs", seconds],
  ["client_retries", "clientRetries", int],
  ["log_level", "logLevel", level],
  ["log_format", "logFormat", format],
  ["metrics_address", "metricsAddress", address],
];

/** Inputs to {@link resolveConfig}. */
export interface ConfigInputs {
  /** Settings given in code (bootstrap options or a module). */
  module?: Partial<MicroSettings>;
  /** Environment; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Command-line arguments; default process.argv.slice(2). Unknown flags are left alone. */
  argv?: readonly string[];
}

/** Resolves every setting with precedence defaults < module < env < flags. */
export function resolveConfig(inputs: ConfigInputs = {}): MicroConfig {
  const env = inputs.env ?? process.env;
  const flags = parseFlags(inputs.argv ?? process.argv.slice(2));
  const out = { ...DEFAULT_SETTINGS } as Record<keyof MicroSettings, unknown>;
  const sources = {} as Record<keyof MicroSettings, ConfigSource>;
  for (const [flag, key, parse] of FLAGS) {
    sources[key] = "default";
    const fromModule = inputs.module?.[key];
    if (fromModule !== undefined) [out[key], sources[key]] = [fromModule, "module"];
    const envName = `MICRO_${flag.toUpperCase()}`;
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== "") [out[key], sources[key]] = [parseSetting(parse, fromEnv, envName), "env"];
    const fromFlag = flags.get(flag);
    if (fromFlag !== undefined) [out[key], sources[key]] = [parseSetting(parse, fromFlag, `--${flag}`), "flag"];
  }
  return { ...(out as unknown as MicroSettings), sources };
}

function parseSetting(parse: Parser, text: string, where: string): unknown {
  try {
    return parse(text);
  } catch (err) {
    throw new Error(`invalid value for ${where}: ${(err as Error).message}`);
  }
}

/** Known `--flag=value` / `--flag value` pairs; everything else belongs to the application. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const options = Object.fromEntries(FLAGS.map(([flag]) => [flag, { type: "string" as const }]));
  const { values } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true });
  const out = new Map<string, string>();
  for (const [flag] of FLAGS) {
    const v = values[flag];
    if (typeof v === "string") out.set(flag, v);
  }
  return out;
}
