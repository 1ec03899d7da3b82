import type { CodecSet } from "../codec/codecs";
import type { Client } from "../client/client";
import { badRequest, ErrorIds, MicroError, notFound, timeout, toMicroError } from "../errors";
import type { Logger } from "../logger/logger";
import { Context } from "../metadata/context";
import { clampDelay } from "../internal/timers";
import { Headers } from "../transport/headers";
import type { Message } from "../transport/transport";
import type { Router } from "./router";
import type { HandlerFn, ServerRequest } from "./server";
import { validateFast } from "./validation";

/** What the dispatcher needs from the server. */
export interface DispatchDeps {
  service: string;
  router: Router;
  codecs: CodecSet;
  chain: HandlerFn;
  logger: Logger;
  client?: Client;
  /** The server's default for handlers that do not say; default false. */
  forbidNonWhitelisted?: boolean;
}

const DEFAULT_CONTENT_TYPE = "application/json";

/** Reads a header, accepting go-micro's `X-Micro-*` aliases. */
export function header(h: Record<string, string>, name: string): string | undefined {
  return h[name] ?? h[`X-${name}`];
}

/**
 * Handles one request message and always produces a reply: the encoded response, or a
 * `Micro-Error` header. Never throws.
 */
export async function dispatch(deps: DispatchDeps, msg: Message): Promise<Message> {
  const h = msg.header;
  const id = h[Headers.id] ?? "";
  const endpoint = header(h, Headers.endpoint) ?? header(h, Headers.method) ?? "";
  const contentType = h[Headers.contentType] ?? DEFAULT_CONTENT_TYPE;
  const replyHeader: Record<string, string> = { [Headers.id]: id, [Headers.contentType]: contentType };
  try {
    const target = header(h, Headers.service);
    if (target && target !== deps.service) {
      throw notFound(`service "${target}" not found on this node (it serves "${deps.service}")`, ErrorIds.serviceNotFound);
    }
    if (!endpoint) throw badRequest("missing Micro-Endpoint header");
    const handler = deps.router.get(endpoint, deps.service);
    if (handler.stream) throw badRequest(`endpoint "${endpoint}" is a ${handler.stream} stream; open it with client.stream()`);
    const codec = deps.codecs.get(contentType);
    let body: unknown;
    try {
      body = codec.unmarshal(msg.body, { type: "request", id, endpoint });
    } catch (err) {
      throw badRequest(`malformed ${codec.name} body: ${(err as Error).message}`, ErrorIds.malformed);
    }
    const result = await runWithDeadline(deps, h, endpoint, (ctx) => {
      const run = (request: unknown): Promise<unknown> => deps.chain({ service: deps.service, endpoint, handler, header: h, body: request }, ctx);
      // Valid requests come back synchronously; only the slow (invalid or unmodelled) path is a promise.
      const request = handler.validate && handler.requestType
        ? validateFast(handler.requestType, body, handler.forbidNonWhitelisted ?? deps.forbidNonWhitelisted ?? false)
        : body;
      return request instanceof Promise ? request.then(run) : run(request);
    });
    return { header: replyHeader, body: codec.marshal(result, { type: "response", id, endpoint }) };
  } catch (err) {
    const error = toMicroError(err);
    if (!MicroError.is(err)) deps.logger.error("handler failed", { endpoint, error: errorFields(err) });
    replyHeader[Headers.error] = error.toHeader();
    return { header: replyHeader, body: Buffer.alloc(0) };
  }
}

/** The chain's innermost function: call the routed handler. */
export const invokeHandler: HandlerFn = (req: ServerRequest, ctx: Context) => req.handler.invoke(req.body, ctx);

async function runWithDeadline(
  deps: DispatchDeps,
  h: Record<string, string>,
  endpoint: string,
  run: (ctx: Context) => unknown,
): Promise<unknown> {
  const ns = Number(h[Headers.timeout]);
  const budgetMs = Number.isFinite(ns) && ns > 0 ? ns / 1_000_000 : undefined;
  // Most handlers never look at ctx.signal, so its AbortController is made on first use.
  let controller: AbortController | undefined;
  let expired: MicroError | undefined;
  const signal = (): AbortSignal => {
    controller ??= new AbortController();
    if (expired && !controller.signal.aborted) controller.abort(expired);
    return controller.signal;
  };
  const ctx = new Context({
    headers: h,
    deadline: budgetMs === undefined ? undefined : Date.now() + budgetMs,
    signal,
    caller: header(h, Headers.fromService),
    service: deps.service,
    endpoint,
    logger: deps.logger,
    client: deps.client,
  });
  if (budgetMs === undefined) return run(ctx);
  return new Promise<unknown>((resolve, reject) => {
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(run(ctx));
    } catch (err) {
      return reject(err);
    }
    const timer = setTimeout(() => {
      expired = timeout(`${endpoint} exceeded its deadline of ${Math.round(budgetMs)}ms`);
      controller?.abort(expired);
      reject(expired);
    }, clampDelay(budgetMs)); // a budget of 2^31 ms or more would otherwise fire at once
    result.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { message: err.message, stack: err.stack } : { value: String(err) };
}
