import { request } from "node:http";
import { MicroError } from "../../errors";
import type { Node } from "../../registry/registry";
import { Headers } from "../../transport/headers";
import { splitHostPort, type HostPort } from "../../internal/address";
import type { DialAgent } from "../../internal/http/dial-agent";

/**
 * What became of one delivery: `delivered` (the subscriber answered 200), `refused` (it surely
 * did not reach a handler, so another node may take it) or `unknown` (it may have been handled).
 */
export interface Delivery {
  outcome: "delivered" | "refused" | "unknown";
  reason: string;
  /** True when a pooled connection turned out to be closed: worth one retry on a fresh one. */
  stale?: boolean;
}

// Errors raised before a byte of the request could reach the subscriber.
const NOT_SENT = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EADDRNOTAVAIL", "ETIMEDOUT"]);

const DELIVERED: Delivery = { outcome: "delivered", reason: "" };

/** POSTs an encoded envelope to one subscriber node, go-micro style (`/?id=<node id>`). */
export function postEnvelope(agent: DialAgent, node: Node, payload: Buffer, timeoutMs: number): Promise<Delivery> {
  if (node.metadata.secure === "true") return Promise.resolve({ outcome: "refused", reason: "TLS subscribers are not supported" });
  let target: HostPort;
  try {
    target = splitHostPort(node.address);
  } catch {
    return Promise.resolve({ outcome: "refused", reason: `bad address "${node.address}"` });
  }
  return new Promise((resolve) => {
    const req = request({
      agent,
      host: target.host,
      port: target.port,
      method: "POST",
      path: `/?id=${encodeURIComponent(node.id)}`,
      headers: { "Content-Type": "application/json", "Content-Length": payload.length },
    });
    // Runs once connected: a subscriber that goes silent this long may still be handling it.
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "EDELIVERYTIMEOUT" })));
    req.on("response", (res) => {
      res.resume();
      res.on("error", (err) => resolve({ outcome: "unknown", reason: err.message }));
      res.on("end", () => {
        if (res.statusCode === 200) return resolve(DELIVERED);
        const micro = res.headers[Headers.error.toLowerCase()];
        const detail = typeof micro === "string" ? MicroError.parse(micro).detail : res.statusMessage;
        // Our inbox (and go-micro's) refuses before running any handler.
        resolve({ outcome: "refused", reason: `HTTP ${res.statusCode ?? 0}: ${detail ?? ""}` });
      });
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      if (NOT_SENT.has(code)) resolve({ outcome: "refused", reason: code });
      else if (req.reusedSocket && code === "ECONNRESET") resolve({ outcome: "refused", reason: code, stale: true });
      else resolve({ outcome: "unknown", reason: code });
    });
    req.end(payload);
  });
}
