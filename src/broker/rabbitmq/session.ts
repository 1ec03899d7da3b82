import type { ChannelModel, ConfirmChannel } from "amqplib";
import { ErrorIds, MicroError, serviceUnavailable } from "../../errors";
import { clampDelay } from "../../internal/timers";
import { redeliveryDelayMs } from "../delivery";
import type { ResolvedRabbitMqBrokerOptions } from "./options";

/** What the broker does on every new connection: declare its exchanges, restore its subscriptions. */
export type OnOpen = (connection: ChannelModel, publisher: ConfirmChannel) => Promise<void>;

type State = "idle" | "connecting" | "open" | "reconnecting" | "closed";

interface Waiter {
  resolve(channel: ConfirmChannel): void;
  reject(err: MicroError): void;
}

/** Loads amqplib: only when a RabbitMQ broker connects (the provider table calls it up front, so a missing package gets its `npm install` hint). */
export async function loadAmqplib(): Promise<typeof import("amqplib")> {
  return import("amqplib");
}

/** The URL with the password removed, for logs and errors. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "";
    return u.toString().replace(/:@/, "@");
  } catch {
    return "(unparseable AMQP URL)";
  }
}

/** The URL with the heartbeat option added when it sets none. */
function withHeartbeat(url: string, seconds: number): string {
  const u = new URL(url);
  if (!u.searchParams.has("heartbeat")) u.searchParams.set("heartbeat", String(seconds));
  return u.toString();
}

/**
 * One AMQP connection and its publisher-confirm channel, kept alive: when the connection is lost
 * it reconnects with backoff and runs `onOpen` again (declaring topology, consuming again) before
 * publishers may use it. Publishers wait for it, each within its own deadline.
 */
export class AmqpSession {
  private state: State = "idle";
  private connection: ChannelModel | undefined;
  private publisher: ConfirmChannel | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private waiters = new Set<Waiter>();
  private readonly url: string;

  constructor(
    private readonly options: ResolvedRabbitMqBrokerOptions,
    private readonly onOpen: OnOpen,
  ) {
    this.url = withHeartbeat(options.url, options.heartbeatSeconds);
  }

  /** Where it connects, password removed. */
  get address(): string {
    return redact(this.options.url);
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** The live connection, if open. */
  get current(): ChannelModel | undefined {
    return this.state === "open" ? this.connection : undefined;
  }

  /** Connects for the first time; fails with a 503 when the broker cannot be reached in time. */
  async start(): Promise<void> {
    this.state = "connecting";
    try {
      await this.establish(this.options.connectTimeoutMs);
    } catch (err) {
      this.state = "idle";
      throw serviceUnavailable(`rabbitmq broker: cannot connect to ${this.address}: ${describe(err)}`);
    }
  }

  /** Closes the connection and stops reconnecting; waiting publishers fail with a 503. Idempotent. */
  async stop(): Promise<void> {
    const connection = this.connection;
    this.state = "closed";
    clearTimeout(this.reconnectTimer);
    this.connection = this.publisher = undefined;
    this.failWaiters("rabbitmq broker is disconnected");
    await connection?.close().catch(() => undefined);
  }

  /** The publisher channel, waiting up to `timeoutMs` for a lost connection to come back. */
  async channel(timeoutMs: number): Promise<ConfirmChannel> {
    if (this.state === "open" && this.publisher !== undefined) return this.publisher;
    if (this.state === "closed" || this.state === "idle") throw serviceUnavailable("rabbitmq broker is not connected");
    return new Promise<ConfirmChannel>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(serviceUnavailable(`rabbitmq broker: ${this.address} unreachable for ${timeoutMs} ms`));
      }, clampDelay(timeoutMs));
      const waiter: Waiter = {
        resolve: (ch) => (clearTimeout(timer), resolve(ch)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      this.waiters.add(waiter);
    });
  }

  private async establish(timeoutMs: number): Promise<void> {
    let amqplib: typeof import("amqplib");
    try {
      amqplib = await loadAmqplib();
    } catch (err) {
      throw new Error(`the amqplib package is missing (run: npm install amqplib): ${describe(err)}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const connecting = amqplib.connect(this.url, { timeout: timeoutMs });
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), clampDelay(timeoutMs));
    });
    let connection: ChannelModel;
    try {
      connection = await Promise.race([connecting, deadline]);
    } catch (err) {
      // A connection that completes after the deadline must not linger.
      connecting.then((c) => c.close(), () => undefined).catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    // Errors are followed by 'close', where recovery happens; without a listener they would crash the process.
    connection.on("error", (err: unknown) => this.options.logger?.warn("rabbitmq broker: connection error", { error: describe(err) }));
    connection.on("close", () => this.lost(connection));
    try {
      const publisher = await connection.createConfirmChannel();
      publisher.on("error", (err: unknown) => this.options.logger?.warn("rabbitmq broker: publisher channel error", { error: describe(err) }));
      publisher.on("close", () => this.publisherClosed(connection, publisher));
      this.connection = connection;
      this.publisher = publisher;
      await this.onOpen(connection, publisher);
      if (this.connection !== connection) throw new Error("connection lost while restoring topology");
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
    if (this.state === "closed") {
      await connection.close().catch(() => undefined);
      return;
    }
    if (this.state === "reconnecting") this.options.logger?.info("rabbitmq broker: reconnected", { address: this.address, attempts: this.attempts });
    this.state = "open";
    this.attempts = 0;
    const waiters = [...this.waiters];
    this.waiters.clear();
    waiters.forEach((w) => w.resolve(this.publisher!));
  }

  /** The connection went away: reconnect unless we closed it. */
  private lost(connection: ChannelModel): void {
    if (this.connection !== connection || this.state === "closed") return;
    this.connection = this.publisher = undefined;
    if (this.state === "open") this.options.logger?.warn("rabbitmq broker: connection lost, reconnecting", { address: this.address });
    this.state = "reconnecting";
    this.scheduleReconnect();
  }

  /** A channel error closed the publisher channel on a live connection: open a new one. */
  private publisherClosed(connection: ChannelModel, publisher: ConfirmChannel): void {
    if (this.publisher !== publisher || this.connection !== connection || this.state !== "open") return;
    this.publisher = undefined;
    connection.createConfirmChannel().then(
      (fresh) => {
        fresh.on("error", (err: unknown) => this.options.logger?.warn("rabbitmq broker: publisher channel error", { error: describe(err) }));
        fresh.on("close", () => this.publisherClosed(connection, fresh));
        if (this.connection !== connection) return;
        this.publisher = fresh;
        // Publishes that arrived while the channel was being replaced wait for it, not for a reconnect.
        const waiters = [...this.waiters];
        this.waiters.clear();
        waiters.forEach((w) => w.resolve(fresh));
      },
      // The connection itself is going; its 'close' reconnects.
      () => undefined,
    );
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    const delay = redeliveryDelayMs(++this.attempts, this.options.reconnect);
    this.reconnectTimer = setTimeout(() => {
      if (this.state !== "reconnecting") return;
      this.establish(this.options.connectTimeoutMs).catch((err: unknown) => {
        if (this.state !== "reconnecting") return;
        this.options.logger?.debug("rabbitmq broker: reconnect failed", { address: this.address, attempt: this.attempts, error: describe(err) });
        this.scheduleReconnect();
      });
    }, clampDelay(delay));
  }

  private failWaiters(detail: string): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    waiters.forEach((w) => w.reject(new MicroError(ErrorIds.unavailable, 503, detail)));
  }
}

/** A short description of anything thrown. */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
