import { createSocket, type RemoteInfo } from "node:dgram";
import { isIPv4 } from "node:net";
import { networkInterfaces } from "node:os";
import makeMdns from "multicast-dns";
import type { MulticastDNS, QueryPacket, ResponsePacket } from "multicast-dns";
import { legacyUnicastAnswers, type MdnsAnswer } from "./records";
import type { ResolvedMdnsRegistryOptions } from "./options";

/** One question of a query packet. */
export type MdnsQuestion = QueryPacket["questions"][number];

/** A question to send; unlike @types/dns-packet it allows "ANY" (type 255), which dns-packet encodes. */
export interface OutgoingQuestion {
  name: string;
  type: MdnsQuestion["type"] | "ANY";
}

/** Receives the packets the socket accepts. */
export interface MdnsSocketHandlers {
  onQuery(packet: QueryPacket, rinfo: RemoteInfo): void;
  onResponse(packet: ResponsePacket, rinfo: RemoteInfo): void;
}

/**
 * The registry's one multicast-dns socket: opened lazily, bound to 0.0.0.0:<port> but joined and
 * multicasting only on the configured interface (loopback by default), and on loopback it drops
 * packets from, and never unicasts to, anything outside 127.0.0.0/8.
 */
export class MdnsSocket {
  private mdns?: MulticastDNS;
  private opening?: Promise<MulticastDNS>;
  private loopbackOnly = true;

  constructor(
    private readonly options: ResolvedMdnsRegistryOptions,
    private readonly handlers: MdnsSocketHandlers,
  ) {}

  /** True once the socket is bound. */
  get isOpen(): boolean {
    return this.mdns !== undefined;
  }

  /** Binds the socket (once); rejects when the interface is unknown or the port cannot be bound. */
  async open(): Promise<void> {
    if (this.mdns) return;
    this.opening ??= this.create().finally(() => (this.opening = undefined));
    await this.opening;
  }

  /** Multicasts an unsolicited response (announcement or goodbye). */
  async announce(answers: MdnsAnswer[]): Promise<void> {
    await this.send((m, cb) => m.respond({ answers }, cb));
  }

  /**
   * Answers a query: multicast, or unicast back to a legacy querier not on the mDNS port, echoing
   * its ID and question with TTLs capped and no cache-flush bit (RFC 6762 §6.7).
   */
  async reply(query: QueryPacket, question: MdnsQuestion, answers: MdnsAnswer[], rinfo: RemoteInfo): Promise<void> {
    // go-micro's client ignores responses that do not repeat its question.
    const questions = [question];
    if (rinfo.port === this.options.port) return this.send((m, cb) => m.respond({ questions, answers }, cb));
    if (!this.accepts(rinfo.address)) return;
    const to = { address: rinfo.address, port: rinfo.port };
    const legacy = legacyUnicastAnswers(answers);
    await this.send((m, cb) => m.respond({ id: query.id, questions, answers: legacy }, to, cb));
  }

  /** Multicasts a query. */
  async query(questions: OutgoingQuestion[]): Promise<void> {
    // The cast only widens past a gap in @types/dns-packet: "ANY" is a valid dns-packet type.
    await this.send((m, cb) => m.query({ questions: questions as MdnsQuestion[] }, cb));
  }

  /** Destroys the socket; safe to call when it was never opened. */
  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    const m = this.mdns;
    this.mdns = undefined;
    if (m) await new Promise<void>((resolve) => m.destroy(() => resolve()));
  }

  private async send(op: (m: MulticastDNS, cb: (err: Error | null) => void) => void): Promise<void> {
    const m = this.mdns;
    if (!m) return;
    await new Promise<void>((resolve) => {
      try {
        op(m, (err) => {
          if (err) this.options.logger?.warn("mdns registry: send failed", { err: err.message });
          resolve();
        });
      } catch (err) {
        // dns-packet throws synchronously on records it cannot encode.
        this.options.logger?.warn("mdns registry: cannot encode packet", { err: String(err) });
        resolve();
      }
    });
  }

  private async create(): Promise<MulticastDNS> {
    const address = resolveInterface(this.options.interface);
    this.loopbackOnly = address.startsWith("127.");
    const logger = this.options.logger;
    // Our own dgram socket, so the outgoing multicast interface can be pinned below whatever
    // multicast-dns manages to do (it only sets it after a successful group join).
    const udp = createSocket({ type: "udp4", reuseAddr: true });
    const m = makeMdns({ socket: udp, interface: address, bind: "0.0.0.0", loopback: true, port: this.options.port });
    let bound = false;
    // Listeners go on before binding: an 'error' without a listener would throw.
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        m.destroy();
        reject(err);
      };
      m.on("error", (err: Error) => (bound ? logger?.error("mdns registry: socket error", { err: err.message }) : fail(err)));
      m.once("ready", () => {
        try {
          udp.setMulticastInterface(address);
        } catch (err) {
          return fail(new Error(`mdns registry: cannot multicast on ${address}: ${String(err)}`));
        }
        bound = true;
        this.mdns = m;
        resolve();
      });
    });
    m.on("warning", (err: NodeJS.ErrnoException) =>
      // Socket-level warnings (a failed group join) matter; undecodable packets do not.
      err.syscall
        ? logger?.warn("mdns registry: socket warning", { err: err.message, syscall: err.syscall })
        : logger?.debug("mdns registry: ignored undecodable packet", { err: err.message }),
    );
    m.on("query", (packet: QueryPacket, rinfo: RemoteInfo) => this.dispatch(() => this.handlers.onQuery(packet, rinfo), rinfo));
    m.on("response", (packet: ResponsePacket, rinfo: RemoteInfo) => this.dispatch(() => this.handlers.onResponse(packet, rinfo), rinfo));
    await ready;
    logger?.info("registry mdns listening", {
      registry: "mdns",
      interface: this.options.interface,
      address,
      source: this.options.interfaceSource,
      domain: this.options.domain,
      port: this.options.port,
    });
    return m;
  }

  private dispatch(handle: () => void, rinfo: RemoteInfo): void {
    if (!this.accepts(rinfo.address)) return;
    try {
      handle();
    } catch (err) {
      this.options.logger?.warn("mdns registry: failed to handle packet", { err: String(err), from: rinfo.address });
    }
  }

  private accepts(address: string): boolean {
    return !this.loopbackOnly || address.startsWith("127.");
  }
}

/** Maps an interface option (IPv4 address or OS interface name) to the IPv4 address to use. */
function resolveInterface(name: string): string {
  if (isIPv4(name)) return name;
  const found = networkInterfaces()[name]?.find((a) => a.family === "IPv4");
  if (!found) throw new Error(`mdns registry: interface "${name}" has no IPv4 address`);
  return found.address;
}
