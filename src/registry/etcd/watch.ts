import type { Etcd3, IKeyValue, Watcher as EtcdWatcher } from "etcd3";
import { clampDelay } from "../../internal/timers";
import type { Logger } from "../../logger/logger";
import type { ServiceRecord, WatchAction, WatchEvent } from "../registry";
import { parseNodeKey } from "./keys";
import { decodeNodeRecord } from "./record";

/** What an {@link EtcdWatch} watches and where it reports. */
export interface EtcdWatchDeps {
  client: Etcd3;
  /** The registry's key prefix (to read service and node back from a key). */
  prefix: string;
  /** The prefix watched: the registry's, or one service's. */
  watchPrefix: string;
  listener: (event: WatchEvent) => void;
  /** Delay before re-listing after etcd cancelled the watch, ms. */
  retryMs: number;
  logger?: Logger;
}

/**
 * One registry watch over etcd's watch API: PUT → create (first version of the key) or update,
 * DELETE → delete. A DELETE carries no value, so the last record seen per key is kept to report
 * which node left. etcd3 reconnects the stream after an outage and resumes from the last
 * revision seen, so changes made meanwhile arrive in order; if etcd cancels the watch (its
 * history compacted), the watch lists the prefix again and reports the difference.
 */
export class EtcdWatch {
  private readonly known = new Map<string, ServiceRecord>();
  private watcher?: EtcdWatcher;
  private stopped = false;
  private disconnected = false;

  constructor(private readonly deps: EtcdWatchDeps) {}

  /** Lists the prefix (best-effort: etcd may be down) and starts watching from just after that listing. */
  async start(): Promise<void> {
    this.open(await this.sync(false));
  }

  private open(revision: string | undefined): void {
    if (this.stopped) return;
    const builder = this.deps.client.watch().prefix(this.deps.watchPrefix).withPreviousKV();
    if (revision !== undefined) builder.startRevision(String(BigInt(revision) + 1n));
    const w = builder.watcher();
    this.watcher = w;
    w.on("put", (kv) => this.onPut(kv));
    w.on("delete", (kv, prev) => this.onDelete(kv, prev));
    w.on("disconnected", (err) => {
      if (!this.disconnected) this.deps.logger?.warn("etcd watch disconnected; resuming when etcd is back", { prefix: this.deps.watchPrefix, error: err.message });
      this.disconnected = true;
    });
    w.on("connected", () => {
      if (this.disconnected) this.deps.logger?.info("etcd watch resumed", { prefix: this.deps.watchPrefix });
      this.disconnected = false;
    });
    w.on("error", (err) => this.restart(w, err));
  }

  /** Ends the watch; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const w = this.watcher;
    this.watcher = undefined;
    await w?.cancel().catch(() => undefined);
  }

  /**
   * Reads the prefix into `known` and returns the revision read at; when `report`, emits what
   * changed since the previous reading. Undefined when etcd could not be reached.
   */
  private async sync(report: boolean): Promise<string | undefined> {
    let res;
    try {
      res = await this.deps.client.getAll().prefix(this.deps.watchPrefix).exec();
    } catch (err) {
      this.deps.logger?.warn("etcd watch could not list current nodes; watching from now", { prefix: this.deps.watchPrefix, error: String(err) });
      return undefined;
    }
    const seen = new Set<string>();
    for (const kv of res.kvs) {
      const key = kv.key.toString();
      const text = kv.value.toString();
      const record = decodeNodeRecord(text);
      if (!record) continue;
      seen.add(key);
      const before = this.known.get(key);
      this.known.set(key, record);
      if (report && (!before || JSON.stringify(before) !== JSON.stringify(record))) this.emit(before ? "update" : "create", record);
    }
    for (const [key, record] of [...this.known]) {
      if (seen.has(key)) continue;
      this.known.delete(key);
      if (report) this.emit("delete", record);
    }
    return res.header.revision;
  }

  private restart(failed: EtcdWatcher, err: Error): void {
    if (this.stopped || failed !== this.watcher) return;
    this.deps.logger?.warn("etcd cancelled the watch; listing again", { prefix: this.deps.watchPrefix, error: err.message });
    this.watcher = undefined;
    void failed.cancel().catch(() => undefined);
    setTimeout(() => {
      if (this.stopped) return;
      void this.sync(true).then((revision) => this.open(revision));
    }, clampDelay(this.deps.retryMs)).unref();
  }

  private onPut(kv: IKeyValue): void {
    const key = kv.key.toString();
    const record = decodeNodeRecord(kv.value.toString());
    if (!record) return;
    this.known.set(key, record);
    this.emit(kv.version === "1" ? "create" : "update", record);
  }

  private onDelete(kv: IKeyValue, prev: IKeyValue | undefined): void {
    const key = kv.key.toString();
    const record = (prev && decodeNodeRecord(prev.value.toString())) ?? this.known.get(key) ?? this.fromKey(key);
    this.known.delete(key);
    if (record) this.emit("delete", record);
  }

  /** The least a delete can say when neither etcd nor this watch saw the value: service and node id. */
  private fromKey(key: string): ServiceRecord | undefined {
    const parsed = parseNodeKey(this.deps.prefix, key);
    if (!parsed) return undefined;
    return { name: parsed.service, version: "", endpoints: [], nodes: [{ id: parsed.nodeId, address: "", metadata: {} }] };
  }

  private emit(action: WatchAction, service: ServiceRecord): void {
    if (this.stopped) return;
    // A throwing listener must not break the watch (etcd3 would rethrow it outside any handler).
    try {
      this.deps.listener({ action, service });
    } catch {
      /* ignored by design */
    }
  }
}
