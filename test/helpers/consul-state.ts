/**
 * The state of the Consul API test server: one agent that is also its own catalog (like
 * `consul agent -dev`), written from Consul's HTTP API documentation (agent/service, agent/check,
 * health, catalog, blocking queries). Only what the `consul` registry uses is modelled.
 */

/** A health check status as Consul reports it. */
export type CheckStatus = "passing" | "warning" | "critical";

/** `AgentServiceRegistration` as sent in the PascalCase JSON body of `PUT /v1/agent/service/register`. */
export interface ServiceRegistration {
  ID?: string;
  Name?: string;
  Tags?: string[];
  Address?: string;
  Port?: number;
  Meta?: Record<string, string>;
  Check?: CheckDefinition;
  Checks?: CheckDefinition[];
}

/** `AgentServiceCheck`: the subset of check fields the server honours (TTL checks only). */
export interface CheckDefinition {
  CheckID?: string;
  Name?: string;
  TTL?: string;
  Status?: string;
  Notes?: string;
  DeregisterCriticalServiceAfter?: string;
}

/** A registered service instance (`AgentService` / catalog `Service`). */
export interface StoredService {
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  Port: number;
  Meta: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A health check (`HealthCheck`). */
export interface StoredCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  CreateIndex: number;
  ModifyIndex: number;
}

interface CheckRuntime {
  check: StoredCheck;
  ttlMs?: number;
  ttlTimer?: NodeJS.Timeout;
  deregisterAfterMs?: number;
  criticalSince?: number;
}

/** A 4xx/5xx answer with Consul's plain-text body. */
export class ConsulHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Timing knobs; the defaults are Consul's documented values. */
export interface ConsulStateOptions {
  datacenter: string;
  nodeName: string;
  /** Consul's floor on DeregisterCriticalServiceAfter: 1 minute. */
  minDeregisterMs: number;
  /** How often critical services are reaped: every 30 s in Consul. */
  reapIntervalMs: number;
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration ("1500ms", "1m5s", "30s") to ms; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * GO_UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

const META_KEY = /^[A-Za-z0-9_-]+$/;

/** Consul's documented Meta limits: ≤64 pairs, keys ≤128 chars of [A-Za-z0-9_-] not starting "consul-", values ≤512 chars. */
function validateMeta(meta: Record<string, string>): void {
  const entries = Object.entries(meta);
  if (entries.length > 64) throw new ConsulHttpError(400, "Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs");
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 128) throw new ConsulHttpError(400, `Invalid Service Meta: Key is too long (limit: 128 characters)`);
    if (!META_KEY.test(k)) throw new ConsulHttpError(400, `Invalid Service Meta: Key contains invalid characters`);
    if (k.startsWith("consul-")) throw new ConsulHttpError(400, `Invalid Service Meta: Key prefix 'consul-' is reserved for internal use`);
    if (typeof v !== "string" || v.length > 512) throw new ConsulHttpError(400, `Invalid Service Meta: Value is too long (limit: 512 characters)`);
  }
}

/** One agent's services and checks, its Raft-like index, and the waiters of blocking queries. */
export class ConsulState {
  private index = 1;
  /** Last index that changed anything about a service name (registration, deregistration, check status). */
  private readonly serviceIndex = new Map<string, number>();
  /** Last index that changed the set of services or their tags (what /v1/catalog/services shows). */
  private servicesTableIndex = 1;
  private readonly services = new Map<string, StoredService>();
  private readonly checks = new Map<string, CheckRuntime>();
  private readonly waiters = new Set<() => void>();
  private readonly reaper: NodeJS.Timeout;

  constructor(readonly options: ConsulStateOptions) {
    this.reaper = setInterval(() => this.reap(), options.reapIntervalMs);
    this.reaper.unref();
  }

  /** Stops timers and releases every blocked query (they see no change). */
  dispose(): void {
    clearInterval(this.reaper);
    for (const rt of this.checks.values()) clearTimeout(rt.ttlTimer);
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }

  /** `PUT /v1/agent/service/register`. */
  register(body: ServiceRegistration): void {
    if (!body || typeof body !== "object") throw new ConsulHttpError(400, "Request decode failed: body must be an object");
    if (!body.Name) throw new ConsulHttpError(400, "Missing service name");
    const id = body.ID || body.Name;
    const meta = body.Meta ?? {};
    validateMeta(meta);
    const defs = body.Checks ?? (body.Check ? [body.Check] : []);
    const parsed = defs.map((def, i) => this.parseCheck(def, id, body.Name!, defs.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`));
    const prev = this.services.get(id);
    const next: StoredService = {
      ID: id,
      Service: body.Name,
      Tags: body.Tags ?? [],
      Address: body.Address ?? "",
      Port: body.Port ?? 0,
      Meta: meta,
      CreateIndex: prev?.CreateIndex ?? 0,
      ModifyIndex: prev?.ModifyIndex ?? 0,
    };
    const same = prev && JSON.stringify({ ...prev, CreateIndex: 0, ModifyIndex: 0 }) === JSON.stringify({ ...next, CreateIndex: 0, ModifyIndex: 0 });
    if (prev && prev.Service !== next.Service) this.removeService(id);
    // Identical re-registrations are no write (the agent's anti-entropy sync skips them), so they wake no blocking query.
    if (!same) {
      const idx = this.bump(next.Service, true);
      next.CreateIndex = prev && prev.Service === next.Service ? prev.CreateIndex : idx;
      next.ModifyIndex = idx;
      this.services.set(id, next);
    }
    const keep = new Set(parsed.map((p) => p.CheckID));
    for (const [cid, rt] of this.checks) {
      if (rt.check.ServiceID === id && !keep.has(cid)) this.removeCheck(cid);
    }
    for (const p of parsed) this.addCheck(p, next);
  }

  /** `PUT /v1/agent/service/deregister/:id`. */
  deregister(id: string): void {
    if (!this.services.has(id)) throw new ConsulHttpError(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    this.removeService(id);
  }

  /** `PUT /v1/agent/check/{pass,warn,fail}/:checkId`: sets the status and restarts the TTL. */
  updateTtl(checkId: string, status: CheckStatus, note: string): void {
    const rt = this.checks.get(checkId);
    if (!rt) throw new ConsulHttpError(404, `Unknown check ID "${checkId}". Ensure that the check ID is passed, not the check name.`);
    if (rt.ttlMs === undefined) throw new ConsulHttpError(500, `CheckID "${checkId}" does not have associated TTL`);
    this.setStatus(rt, status, note);
    this.armTtl(rt);
  }

  /** `GET /v1/health/service/:name`: entries sorted by service ID, each with node and service checks. */
  healthService(name: string, passing: boolean, tag?: string): { index: number; body: unknown[] } {
    const body = [...this.services.values()]
      .filter((s) => s.Service === name && (tag === undefined || s.Tags.includes(tag)))
      .sort((a, b) => a.ID.localeCompare(b.ID))
      .map((s) => ({ Node: this.node(), Service: s, Checks: [this.serfCheck(), ...this.checksOf(s.ID)] }))
      .filter((e) => !passing || e.Checks.every((c) => c.Status === "passing"));
    return { index: Math.max(1, this.serviceIndex.get(name) ?? this.servicesTableIndex), body: structuredClone(body) };
  }

  /** `GET /v1/catalog/services`: every service name with the union of its instances' tags, plus Consul's own "consul". */
  catalogServices(): { index: number; body: Record<string, string[]> } {
    const out: Record<string, string[]> = { consul: [] };
    for (const s of this.services.values()) out[s.Service] = [...new Set([...(out[s.Service] ?? []), ...s.Tags])].sort();
    return { index: Math.max(1, this.servicesTableIndex), body: out };
  }

  /** Resolves when any write happens, or after `ms` (whichever first); returns a cancel function. */
  onChange(ms: number, done: () => void): () => void {
    const w = (): void => {
      this.waiters.delete(w);
      clearTimeout(t);
      done();
    };
    const t = setTimeout(w, ms);
    this.waiters.add(w);
    return () => {
      this.waiters.delete(w);
      clearTimeout(t);
    };
  }

  /** Test introspection: one check's current status. */
  checkStatus(checkId: string): CheckStatus | undefined {
    return this.checks.get(checkId)?.check.Status;
  }

  /** Test introspection: the IDs of every registered service instance. */
  serviceIds(): string[] {
    return [...this.services.keys()].sort();
  }

  /** Runs one reaper pass now (the same pass the interval timer runs). */
  reap(): void {
    const now = Date.now();
    for (const rt of [...this.checks.values()]) {
      if (rt.deregisterAfterMs === undefined || rt.criticalSince === undefined) continue;
      const after = Math.max(rt.deregisterAfterMs, this.options.minDeregisterMs);
      if (now - rt.criticalSince >= after && this.services.has(rt.check.ServiceID)) this.removeService(rt.check.ServiceID);
    }
  }

  private parseCheck(def: CheckDefinition, serviceId: string, serviceName: string, defaultId: string): StoredCheck & { ttlMs: number; deregMs?: number } {
    if (!def.TTL) throw new ConsulHttpError(400, "Invalid check: only TTL checks are supported by this test server");
    const ttlMs = parseGoDuration(def.TTL);
    if (ttlMs === undefined || ttlMs <= 0) throw new ConsulHttpError(400, `Invalid check: TTL must be > 0: ${def.TTL}`);
    let deregMs: number | undefined;
    if (def.DeregisterCriticalServiceAfter !== undefined) {
      deregMs = parseGoDuration(def.DeregisterCriticalServiceAfter);
      if (deregMs === undefined) throw new ConsulHttpError(400, `Request decode failed: time: invalid duration "${def.DeregisterCriticalServiceAfter}"`);
    }
    const status = (def.Status ?? "critical") as CheckStatus;
    if (!["passing", "warning", "critical"].includes(status)) throw new ConsulHttpError(400, `Invalid check status: "${def.Status}"`);
    return {
      Node: this.options.nodeName,
      CheckID: def.CheckID || defaultId,
      Name: def.Name || `Service '${serviceName}' check`,
      Status: status,
      Notes: def.Notes ?? "",
      Output: "",
      ServiceID: serviceId,
      ServiceName: serviceName,
      ServiceTags: [],
      Type: "ttl",
      CreateIndex: 0,
      ModifyIndex: 0,
      ttlMs,
      deregMs,
    };
  }

  private addCheck(p: StoredCheck & { ttlMs: number; deregMs?: number }, service: StoredService): void {
    const { ttlMs, deregMs, ...check } = p;
    const prev = this.checks.get(check.CheckID);
    check.ServiceTags = service.Tags;
    if (prev) {
      // A re-registered check keeps its current status, so re-registering does not flap health.
      check.Status = prev.check.Status;
      check.Output = prev.check.Output;
      check.CreateIndex = prev.check.CreateIndex;
      check.ModifyIndex = prev.check.ModifyIndex;
      clearTimeout(prev.ttlTimer);
    } else {
      check.CreateIndex = check.ModifyIndex = this.bump(service.Service, false);
    }
    const rt: CheckRuntime = { check, ttlMs, deregisterAfterMs: deregMs, criticalSince: prev?.criticalSince };
    if (!prev && check.Status === "critical") rt.criticalSince = Date.now();
    this.checks.set(check.CheckID, rt);
    this.armTtl(rt);
  }

  private armTtl(rt: CheckRuntime): void {
    clearTimeout(rt.ttlTimer);
    if (rt.ttlMs === undefined) return;
    rt.ttlTimer = setTimeout(() => this.setStatus(rt, "critical", "TTL expired"), rt.ttlMs);
    rt.ttlTimer.unref();
  }

  private setStatus(rt: CheckRuntime, status: CheckStatus, output: string): void {
    if (status === "critical") rt.criticalSince ??= Date.now();
    else rt.criticalSince = undefined;
    if (rt.check.Status === status && rt.check.Output === output) return;
    rt.check.Status = status;
    rt.check.Output = output;
    rt.check.ModifyIndex = this.bump(rt.check.ServiceName, false);
  }

  private removeService(id: string): void {
    const s = this.services.get(id);
    if (!s) return;
    for (const [cid, rt] of this.checks) if (rt.check.ServiceID === id) this.removeCheck(cid);
    this.services.delete(id);
    this.bump(s.Service, true);
  }

  private removeCheck(cid: string): void {
    const rt = this.checks.get(cid);
    if (!rt) return;
    clearTimeout(rt.ttlTimer);
    this.checks.delete(cid);
    this.bump(rt.check.ServiceName, false);
  }

  /** Advances the index for a write touching `service` and wakes every blocking query. */
  private bump(service: string, servicesTable: boolean): number {
    this.index += 1;
    this.serviceIndex.set(service, this.index);
    if (servicesTable) this.servicesTableIndex = this.index;
    for (const w of [...this.waiters]) w();
    return this.index;
  }

  private checksOf(serviceId: string): StoredCheck[] {
    return [...this.checks.values()].filter((rt) => rt.check.ServiceID === serviceId).map((rt) => rt.check);
  }

  private node(): Record<string, unknown> {
    return { ID: "00000000-0000-0000-0000-000000000001", Node: this.options.nodeName, Address: "127.0.0.1", Datacenter: this.options.datacenter, TaggedAddresses: { lan: "127.0.0.1", wan: "127.0.0.1" }, Meta: {}, CreateIndex: 1, ModifyIndex: 1 };
  }

  private serfCheck(): StoredCheck {
    return { Node: this.options.nodeName, CheckID: "serfHealth", Name: "Serf Health Status", Status: "passing", Notes: "", Output: "Agent alive and reachable", ServiceID: "", ServiceName: "", ServiceTags: [], Type: "", CreateIndex: 1, ModifyIndex: 1 };
  }
}
