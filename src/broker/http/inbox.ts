import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { badRequest, ErrorIds, methodNotAllowed, notFound, serviceUnavailable } from "../../errors";
import type { Logger } from "../../logger/logger";
import { Headers } from "../../transport/headers";
import { bindServer } from "../../internal/address";
import { tooLarge } from "../../internal/http/wire";
import { writeError } from "../../internal/http/wire";
import type { BrokerMessage } from "../broker";
import { decodeEnvelope } from "./wire";

/** Runs the handlers of subscription `id` for `topic`; resolves false when there is no such subscription. */
export type InboxDelivery = (id: string, topic: string, message: BrokerMessage) => Promise<boolean>;

/** How the inbox behaves (from the broker's options). */
export interface InboxConfig {
  maxBodyBytes: number;
  keepAliveTimeoutMs: number;
  closeTimeoutMs: number;
  logger?: Logger;
}

class TooLarge extends Error {}

/**
 * The HTTP server of one HTTP broker: receives go-micro-style deliveries (`POST /?id=<node id>`,
 * a JSON envelope) and answers 200 once the subscription's handler settled.
 */
export class Inbox {
  private readonly server: Server;
  private draining = false;
  private closing?: Promise<void>;

  constructor(
    private readonly deliver: InboxDelivery,
    private readonly config: InboxConfig,
  ) {
    this.server = createServer({ requireHostHeader: false }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.config.logger?.error("http broker: delivery failed", { error: String(err) });
        res.destroy();
      });
    });
    this.server.keepAliveTimeout = config.keepAliveTimeoutMs;
    this.server.on("clientError", (err: Error, conn) => {
      this.config.logger?.debug("http broker: client error", { error: err.message });
      conn.destroy();
    });
  }

  /** Binds to `address` and resolves with the bound `host:port`. */
  bind(address: string): Promise<string> {
    return bindServer(this.server, address);
  }

  /** Stops accepting, lets deliveries in progress finish (bounded by `closeTimeoutMs`), then resolves. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.draining = true;
      const timer = setTimeout(() => this.server.closeAllConnections(), this.config.closeTimeoutMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const length = Number(req.headers["content-length"] ?? -1);
    const unread = length !== 0;
    if ((q < 0 ? url : url.slice(0, q)) !== "/") return writeError(res, notFound(`nothing at ${url.slice(0, 128)}`), undefined, unread);
    if (req.method !== "POST") return writeError(res, methodNotAllowed(`${req.method ?? ""} is not allowed`), undefined, unread);
    if (this.draining) return writeError(res, serviceUnavailable("broker is shutting down", ErrorIds.draining), undefined, true);
    if (length > this.config.maxBodyBytes) return writeError(res, tooLarge(length, this.config.maxBodyBytes), undefined, true);
    let body: Buffer;
    try {
      body = await readBody(req, this.config.maxBodyBytes);
    } catch (err) {
      if (err instanceof TooLarge) writeError(res, tooLarge(Number(err.message), this.config.maxBodyBytes), undefined, true);
      return;
    }
    const message = decodeEnvelope(body);
    if (typeof message === "string") return writeError(res, badRequest(message, ErrorIds.malformed), undefined, false);
    const topic = message.header[Headers.topic];
    if (!topic) return writeError(res, badRequest("the message has no Micro-Topic header"), undefined, false);
    const id = new URLSearchParams(q < 0 ? "" : url.slice(q + 1)).get("id") ?? "";
    if (!(await this.deliver(id, topic, message))) {
      return writeError(res, notFound(`no subscription ${id} to ${topic} here`), undefined, this.draining);
    }
    res.writeHead(200, this.draining ? { "Content-Length": 0, Connection: "close" } : { "Content-Length": 0 }).end();
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        req.removeAllListeners("data");
        reject(new TooLarge(String(size)));
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}
