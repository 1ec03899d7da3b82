import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { ConsulHttpError, ConsulState, parseGoDuration, type CheckStatus, type ConsulStateOptions, type ServiceRegistration } from "./consul-state";

/**
 * A stateful stand-in for one Consul agent's HTTP API, for tests: no Consul agent can be
 * installed on the build machines. It implements, from Consul's API documentation, exactly what
 * the `consul` registry uses:
 *
 * - `PUT /v1/agent/service/register` (PascalCase body, `Check`/`Checks` with `TTL` and
 *   `DeregisterCriticalServiceAfter`; Meta validated; initial check status critical),
 * - `PUT /v1/agent/service/deregister/:id` (404 for an unknown ID),
 * - `PUT /v1/agent/check/{pass,warn,fail}/:checkId` (resets the TTL; an expired TTL makes the
 *   check critical with output "TTL expired"; a service critical for longer than
 *   max(DeregisterCriticalServiceAfter, 1 min) is removed by a reaper that runs every 30 s —
 *   both knobs can be shortened for tests),
 * - `GET /v1/health/service/:name` (`passing`, `tag`) and `GET /v1/catalog/services`,
 * - blocking queries on both reads (`index`, `wait` ≤ 10 min, default 5 min, plus up to wait/16
 *   jitter; `X-Consul-Index` never 0 and only grows while the agent runs),
 * - ACLs when `tokens` is given (default deny: `X-Consul-Token` or `Authorization: Bearer`;
 *   writes without a valid token get 403, reads are filtered to nothing),
 * - `dc`: the agent's own datacenter answers; any other gets 500 "No path to datacenter".
 *
 * `kill()`/`restart()` simulate an agent outage: the listener closes (open connections are
 * destroyed) and reopens on the same port. Restart loses all state, as restarting
 * `consul agent -dev` (in-memory) does; the index starts again from 1, so clients see it go
 * backwards and must reset.
 */
export interface ConsulTestServerOptions extends Partial<ConsulStateOptions> {
  /** ACL tokens with full access; when set, ACLs are enabled with a default-deny policy. */
  tokens?: string[];
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Port to listen on; default 0 (random). */
  port?: number;
}

const MAX_WAIT_MS = 10 * 60_000;
const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_BODY = 512 * 1024;
const LOG_LIMIT = 2000;

/** One request as the server saw it, for tests that assert on what the client sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  token?: string;
  body?: unknown;
}

/** The Consul API test server; {@link ConsulTestServer.start} listens on 127.0.0.1. */
export class ConsulTestServer {
  /** Every request received (the newest {@link LOG_LIMIT}). */
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private portNo = 0;
  private stateNow: ConsulState;
  private readonly stateOptions: ConsulStateOptions;

  constructor(private readonly options: ConsulTestServerOptions = {}) {
    this.stateOptions = {
      datacenter: options.datacenter ?? "dc1",
      nodeName: options.nodeName ?? "tsmicro-test-agent",
      minDeregisterMs: options.minDeregisterMs ?? 60_000,
      reapIntervalMs: options.reapIntervalMs ?? 30_000,
    };
    this.stateNow = new ConsulState(this.stateOptions);
  }

  /** Starts a server and waits until it listens. */
  static async start(options: ConsulTestServerOptions = {}): Promise<ConsulTestServer> {
    const s = new ConsulTestServer(options);
    await s.listen(options.port ?? 0);
    return s;
  }

  /** The agent's state (for introspection in tests). */
  get state(): ConsulState {
    return this.stateNow;
  }

  /** The port it listens on (kept across restarts). */
  get port(): number {
    return this.portNo;
  }

  /** `127.0.0.1:<port>`, what `--registry_address` takes. */
  get address(): string {
    return `127.0.0.1:${this.portNo}`;
  }

  /** True while the listener is open. */
  get running(): boolean {
    return this.server !== undefined;
  }

  /** Simulates the agent dying: closes the listener, destroys open connections, drops state. */
  async kill(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stateNow.dispose();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Brings the agent back on the same port with empty state (a restarted dev agent). */
  async restart(): Promise<void> {
    await this.kill();
    this.stateNow = new ConsulState(this.stateOptions);
    await this.listen(this.portNo);
  }

  /** Stops for good; idempotent. */
  async close(): Promise<void> {
    await this.kill();
  }

  private async listen(port: number): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const server = this.options.tls ? createHttpsServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler) : createHttpServer(handler);
    server.on("clientError", (_e, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => (server.off("error", reject), resolve()));
    });
    this.portNo = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    const url = new URL(req.url ?? "/", "http://consul");
    const query = Object.fromEntries(url.searchParams);
    const token = tokenOf(req, query);
    const record: RecordedRequest = { method: req.method ?? "GET", path: safeDecode(url.pathname), query, token };
    this.requests.push(record);
    if (this.requests.length > LOG_LIMIT) this.requests.shift();
    try {
      const body = await readBody(req);
      if (body !== undefined) record.body = body;
      await this.route(req.method ?? "GET", url.pathname, query, token, body, res);
    } catch (err) {
      const e = err instanceof ConsulHttpError ? err : new ConsulHttpError(500, String(err));
      if (!res.headersSent) res.writeHead(e.status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(e.message);
    }
  }

  private async route(method: string, path: string, query: Record<string, string>, token: string | undefined, body: unknown, res: ServerResponse): Promise<void> {
    const state = this.stateNow;
    let m: RegExpExecArray | null;
    if (path === "/v1/agent/service/register") {
      this.requireWrite(method, token);
      state.register(body as ServiceRegistration);
      return sendEmpty(res);
    }
    if ((m = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(path))) {
      this.requireWrite(method, token);
      state.deregister(decodeURIComponent(m[1]!));
      return sendEmpty(res);
    }
    if ((m = /^\/v1\/agent\/check\/(pass|warn|fail)\/(.+)$/.exec(path))) {
      this.requireWrite(method, token);
      const status: CheckStatus = m[1] === "pass" ? "passing" : m[1] === "warn" ? "warning" : "critical";
      state.updateTtl(decodeURIComponent(m[2]!), status, query.note ?? "");
      return sendEmpty(res);
    }
    if ((m = /^\/v1\/health\/service\/(.+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]!);
      const passing = "passing" in query && query.passing !== "false" && query.passing !== "0";
      return this.blockingRead(method, query, token, res, () => state.healthService(name, passing, query.tag), []);
    }
    if (path === "/v1/catalog/services") {
      return this.blockingRead(method, query, token, res, () => state.catalogServices(), {});
    }
    throw new ConsulHttpError(404, `Invalid URL path: not a recognized HTTP API endpoint`);
  }

  /** Answers a read, first blocking while the result's index is not past `index` (up to `wait`). */
  private async blockingRead<T>(method: string, query: Record<string, string>, token: string | undefined, res: ServerResponse, read: () => { index: number; body: T }, denied: T): Promise<void> {
    if (method !== "GET") throw new ConsulHttpError(405, `method ${method} not allowed`);
    if (query.dc !== undefined && query.dc !== this.stateOptions.datacenter) throw new ConsulHttpError(500, "No path to datacenter");
    const filtered = this.aclRead(token);
    let index = 0;
    if (query.index !== undefined) {
      if (!/^\d+$/.test(query.index)) throw new ConsulHttpError(400, "Invalid index");
      index = Number(query.index);
    }
    let waitMs = DEFAULT_WAIT_MS;
    if (query.wait !== undefined) {
      const w = parseGoDuration(query.wait);
      if (w === undefined) throw new ConsulHttpError(400, "Invalid wait time");
      waitMs = Math.min(w, MAX_WAIT_MS);
    }
    const state = this.stateNow;
    if (index > 0 && read().index <= index) {
      const deadline = Date.now() + waitMs + Math.random() * (waitMs / 16);
      let cancel: (() => void) | undefined;
      res.once("close", () => cancel?.());
      while (read().index <= index && Date.now() < deadline && !res.destroyed && state === this.stateNow) {
        await new Promise<void>((resolve) => (cancel = state.onChange(Math.max(1, deadline - Date.now()), resolve)));
      }
      if (res.destroyed || state !== this.stateNow) return;
    }
    const result = read();
    res.writeHead(200, {
      "Content-Type": "application/json",
      "X-Consul-Index": String(result.index),
      "X-Consul-KnownLeader": "true",
      "X-Consul-LastContact": "0",
      ...(filtered ? { "X-Consul-Results-Filtered-By-ACLs": "true" } : {}),
    });
    res.end(JSON.stringify(filtered ? denied : result.body));
  }

  private requireWrite(method: string, token: string | undefined): void {
    if (method !== "PUT") throw new ConsulHttpError(405, `method ${method} not allowed`);
    if (!this.options.tokens) return;
    if (token && !this.options.tokens.includes(token)) throw new ConsulHttpError(403, "ACL not found");
    if (!token) throw new ConsulHttpError(403, "Permission denied: anonymous token lacks permission 'service:write'");
  }

  /** True when the read must be filtered to nothing (anonymous under default deny). */
  private aclRead(token: string | undefined): boolean {
    if (!this.options.tokens) return false;
    if (token && !this.options.tokens.includes(token)) throw new ConsulHttpError(403, "ACL not found");
    return !token;
  }
}

function tokenOf(req: IncomingMessage, query: Record<string, string>): string | undefined {
  const header = req.headers["x-consul-token"];
  if (typeof header === "string" && header) return header;
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7);
  return query.token || undefined;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ConsulHttpError(413, "Request body too large");
    chunks.push(c);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    throw new ConsulHttpError(400, `Request decode failed: ${(err as Error).message}`);
  }
}

function sendEmpty(res: ServerResponse): void {
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end();
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
