import type { BrokerHandler, BrokerMessage, Subscription } from "../broker";
import { afterFailure, deadLetterHeaders, redeliveryDelayMs, type ResolvedDelivery } from "../delivery";
import { BackoffTimers, deliverInProcess, type RedeliveryHost } from "../redeliver";
import { clampDelay } from "../../internal/timers";
import { Headers } from "../../transport/headers";
import { openClient, type RedisClient } from "./client";
import type { ResolvedRedisBrokerOptions } from "./options";
import { parseEntries, type StreamEntry } from "./wire";

/** What a stream subscription needs from its broker. */
export interface StreamHost extends RedeliveryHost {
  readonly options: ResolvedRedisBrokerOptions;
  /** The command connection (XACK, XCLAIM, XGROUP, …). */
  commands(): RedisClient;
  /** Forgets a subscription that stopped. */
  forget(sub: StreamSubscription): void;
}

/** Where one stream subscription reads: its group (a queue, or one of its own) and consumer name. */
export interface StreamPlace {
  readonly group: string;
  readonly consumer: string;
  /** The group is this subscription's alone: destroyed when it stops. */
  readonly ephemeral: boolean;
}

const ack = async (): Promise<void> => undefined;

/**
 * One subscriber reading a topic's stream through a consumer group (`XREADGROUP`, on a
 * connection of its own since the read blocks). At-most-once reads with NOACK. At-least-once
 * acknowledges (`XACK`) after the handler resolved; a failure is retried after its backoff by
 * claiming the entry again (`XCLAIM`, which counts the delivery); entries another consumer left
 * unacknowledged longer than the visibility timeout are taken over (`XAUTOCLAIM`), their attempt
 * read from `XPENDING`'s delivery count. Dead-lettered copies are published before the `XACK`.
 */
export class StreamSubscription implements Subscription {
  private active = true;
  private reader?: RedisClient;
  private loop?: Promise<void>;
  private claimTimer?: NodeJS.Timeout;
  private claiming = false;
  private readonly timers = new BackoffTimers();
  private readonly retries = new Set<Promise<void>>();
  private readonly key: string;
  private halt!: () => void;
  /** Resolves when the subscription stops: a read pending on a reconnecting connection is not waited for. */
  private readonly halted = new Promise<void>((resolve) => (this.halt = resolve));

  constructor(
    private readonly host: StreamHost,
    readonly topic: string,
    readonly queue: string | undefined,
    private readonly run: BrokerHandler,
    private readonly delivery: ResolvedDelivery,
    private readonly place: StreamPlace,
  ) {
    this.key = host.options.prefix + topic;
  }

  /** The stream key and consumer group this subscription reads from. */
  get source(): { readonly key: string; readonly group: string } {
    return { key: this.key, group: this.place.group };
  }

  private get acking(): boolean {
    return this.delivery.delivery === "at-least-once";
  }

  /** Creates the group (from now on: `$`) and starts reading. */
  async start(): Promise<void> {
    await this.ensureGroup();
    this.reader = await openClient(this.host.options, "reader");
    this.loop = this.read(this.reader);
    if (this.acking) this.claimTimer = setInterval(() => void this.claim(), this.host.options.claimIntervalMs).unref();
  }

  /** Stops reading; unacknowledged entries stay pending for the group. Idempotent. */
  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    await this.stop(true);
  }

  /** Stops reading and, when `release`, destroys an ephemeral group. */
  async stop(release: boolean): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.halt();
    clearInterval(this.claimTimer);
    this.timers.cancelAll();
    this.reader?.disconnect();
    // A handler that never settles must not hold the shutdown: its entry stays pending and is claimed later.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, clampDelay(this.host.options.closeTimeoutMs))));
    await Promise.race([Promise.all([this.loop, ...this.retries]), late]);
    clearTimeout(timer);
    if (release && this.place.ephemeral) {
      await this.host
        .commands()
        .xgroup("DESTROY", this.key, this.place.group)
        .catch((err: unknown) => this.log("removing the subscriber's group failed", err));
    }
    this.host.forget(this);
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.host.commands().xgroup("CREATE", this.key, this.place.group, "$", "MKSTREAM");
    } catch (err) {
      if (!String(err).includes("BUSYGROUP")) throw err;
    }
  }

  private async read(reader: RedisClient): Promise<void> {
    const o = this.host.options;
    // An at-least-once consumer first takes back what it read before a restart and never acknowledged.
    let cursor = this.acking ? "0" : ">";
    while (this.active) {
      let entries: StreamEntry[];
      try {
        const mode = this.acking ? [] : ["NOACK"];
        const reading = reader.callBuffer("XREADGROUP", "GROUP", this.place.group, this.place.consumer, "COUNT", o.batch, "BLOCK", o.blockMs, ...mode, "STREAMS", this.key, cursor);
        reading.catch(() => undefined); // settled after a stop, or never: nobody waits for it then
        const raw = await Promise.race([reading, this.halted.then(() => null)]);
        if (!this.active) return;
        entries = Array.isArray(raw) && Array.isArray(raw[0]) ? parseEntries((raw[0] as unknown[])[1]) : [];
      } catch (err) {
        if (!this.active) return;
        if (String(err).includes("NOGROUP")) await this.ensureGroup().catch((e: unknown) => this.log("creating the group failed", e));
        else this.log("reading failed", err);
        await this.timers.wait(o.reconnectInitialMs);
        continue;
      }
      if (cursor !== ">") {
        if (entries.length === 0) cursor = ">";
        else cursor = entries[entries.length - 1]!.id;
      }
      for (const entry of entries) {
        if (!this.active) return;
        const attempt = cursor === ">" ? 1 : await this.deliveries(entry.id);
        await this.process(entry, attempt);
      }
    }
  }

  private async process(entry: StreamEntry, attempt: number): Promise<void> {
    if (typeof entry.message === "string") {
      this.log(`undecodable entry ${entry.id} dropped: ${entry.message}`, undefined);
      if (this.acking) await this.ack(entry.id);
      return;
    }
    if (!this.acking) {
      const target = { topic: this.topic, queue: this.queue, delivery: this.delivery, handler: () => (this.active ? this.run : undefined) };
      return deliverInProcess(this.host, target, entry.message, undefined, entry.id);
    }
    return this.attempt(entry.id, entry.message, attempt);
  }

  private async attempt(id: string, message: BrokerMessage, attempt: number): Promise<void> {
    if (attempt > this.delivery.maxAttempts) {
      const err = new Error(`delivered ${attempt - 1} times without an acknowledgement (a consumer crashed or took longer than the visibility timeout)`);
      return this.settleFailure(id, message, attempt - 1, err, "dead-letter");
    }
    const copy = { header: { ...message.header }, body: message.body };
    try {
      await this.run({ topic: this.topic, message: copy, delivery: { attempt, id: message.header[Headers.id] || id, redelivered: attempt > 1 }, ack });
    } catch (err) {
      const next = afterFailure(err, attempt, this.delivery);
      this.host.logger?.error("redis broker: handler failed", { topic: this.topic, queue: this.queue, attempt, next, error: String(err) });
      if (next === "retry") return this.retryLater(id, attempt);
      return this.settleFailure(id, message, attempt, err, next);
    }
    await this.ack(id);
  }

  private async settleFailure(id: string, message: BrokerMessage, attempts: number, err: unknown, next: "dead-letter" | "drop"): Promise<void> {
    const dlq = this.delivery.deadLetter;
    if (next === "dead-letter" && dlq !== undefined) {
      try {
        await this.host.publish(dlq, { header: deadLetterHeaders(message.header, this.topic, attempts, err), body: message.body });
      } catch (publishErr) {
        // Left pending: the entry is claimed again later and dead-lettered then.
        return this.log(`dead-lettering ${id} to ${dlq} failed; it stays pending`, publishErr);
      }
    }
    await this.ack(id);
  }

  private retryLater(id: string, attempt: number): void {
    const retry = (async () => {
      if (!(await this.timers.wait(redeliveryDelayMs(attempt, this.delivery.backoff))) || !this.active) return;
      let raw: unknown;
      try {
        raw = await this.host.commands().callBuffer("XCLAIM", this.key, this.place.group, this.place.consumer, 0, id);
      } catch (err) {
        return this.log(`claiming ${id} for a redelivery failed; it stays pending`, err);
      }
      // Nothing back: the entry was acknowledged meanwhile, or trimmed from the stream.
      for (const entry of parseEntries(raw)) await this.process(entry, attempt + 1);
    })().finally(() => this.retries.delete(retry));
    this.retries.add(retry);
  }

  /** Takes over entries another consumer of the group left unacknowledged past the visibility timeout. */
  private async claim(): Promise<void> {
    if (this.claiming || !this.active) return;
    this.claiming = true;
    const o = this.host.options;
    try {
      let start = "0-0";
      for (let round = 0; round < 10 && this.active; round++) {
        const raw = await this.host.commands().callBuffer("XAUTOCLAIM", this.key, this.place.group, this.place.consumer, o.visibilityTimeoutMs, start, "COUNT", o.batch);
        if (!Array.isArray(raw)) return;
        start = String(raw[0]);
        for (const entry of parseEntries(raw[1])) await this.process(entry, await this.deliveries(entry.id));
        if (start === "0-0") return;
      }
    } catch (err) {
      this.log("claiming stale entries failed", err);
    } finally {
      this.claiming = false;
    }
  }

  /** How often the group delivered entry `id` (XPENDING's count); 1 when unknown. */
  private async deliveries(id: string): Promise<number> {
    try {
      const rows = (await this.host.commands().xpending(this.key, this.place.group, id, id, 1)) as Array<[string, string, number, number]>;
      return Math.max(1, Number(rows[0]?.[3] ?? 1));
    } catch {
      return 1;
    }
  }

  private async ack(id: string): Promise<void> {
    try {
      await this.host.commands().xack(this.key, this.place.group, id);
    } catch (err) {
      this.log(`acknowledging ${id} failed; it will be delivered again`, err);
    }
  }

  private log(what: string, err: unknown): void {
    this.host.logger?.warn(`redis broker: ${what}`, { topic: this.topic, group: this.place.group, error: err === undefined ? undefined : String(err) });
  }
}
