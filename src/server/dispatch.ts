import type { Codec, Frame } from "../codec/codec";
import type { CodecSet } from "../codec/codecs";
import type { Client } from "../client/client";
import { badRequest, ErrorIds, internalServerError, MicroError, notFound, timeout, toMicroError } from "../errors";
import type { Logger } from "../logger/logger";
import { Context } from "../metadata/context";
import { clampDelay } from "../internal/timers";
import { Headers } from "../transport/headers";
import type { Message } from "../transport/transport";
import type { HandlerDescriptor } from "../discovery/descriptors";
import type { Router } from "./router";
import type { HandlerFn } from "./server";
import { validateFast } from "./validation";
import type { Abort, SocketCancellations } from "./cancellation";

/** What the dispatcher needs from the server. */
export interface DispatchDeps {
  service: string;
  router: Router;
  codecs: CodecSet;
  /** The chain of handlers without wrappers of their own. */
  chain: HandlerFn;
  /** Chains of handlers that have their own wrappers (`@UseWrappers`); absent when none do. */
  chains?: ReadonlyMap<HandlerDescriptor, HandlerFn>;
  logger: Logger;
  client?: Client;
  /** The server's default for handlers that do not say (unary handlers get it through their chain; streams read it here); default false. */
  forbidNonWhitelisted?: boolean;
}

const DEFAULT_CONTENT_TYPE = "application/json";

/** Reads a header, accepting go-micro's `X-Micro-*` aliases. */
export function header(h: Record<string, string>, name: string): string | undefined {
  return h[name] ?? h[`X-${name}`];
}

/**
 * Handles one request message and always produces a reply: the encoded response, or a
 * `Micro-Error` header. Never throws. With `cancels`, a cancel message for its `Micro-Id` aborts it.
 */
export async function dispatch(deps: DispatchDeps, msg: Message, cancels?: SocketCancellations): Promise<Message> {
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
    if (handler.stream) throw badRequest(`endpoint "${endpoint}" is a ${handler.stream} stream; open it with client.stream() (or \`micro stream\`)`);
    const codec = deps.codecs.get(contentType);
    const body = decodeRequest(codec, msg.body, { type: "request", id, endpoint, schema: handler.schema?.request });
    const chain = deps.chains?.get(handler) ?? deps.chain;
    const result = await runWithDeadline(deps, h, endpoint, (ctx) => chain({ service: deps.service, endpoint, handler, header: h, body }, ctx), cancels);
    return { header: replyHeader, body: encodeResponse(codec, result, { type: "response", id, endpoint, schema: handler.schema?.response }) };
  } catch (err) {
    const error = toMicroError(err);
    if (!MicroError.is(err)) deps.logger.error("handler failed", { endpoint, error: errorFields(err) });
    replyHeader[Headers.error] = error.toHeader();
    return { header: replyHeader, body: Buffer.alloc(0) };
  }
}

/**
 * The chain's innermost stage: validate the body against the handler's request class (when it
 * has one), then call the handler. Validation sits here so every wrapper, guards included, runs
 * before it: an unauthenticated caller never learns what a valid request looks like.
 * `forbidDefault` is the server's `forbidNonWhitelisted`.
 */
export function validateAndInvoke(forbidDefault: boolean): HandlerFn {
  return (req, ctx) => {
    const handler = req.handler;
    // A stream's messages are validated one by one as the handler reads them (server/stream.ts).
    if (handler.stream) return handler.invoke(req.body, ctx);
    const request = validateFor(handler, req.body, forbidDefault);
    return request instanceof Promise ? request.then((r) => handler.invoke(r, ctx)) : handler.invoke(request, ctx);
  };
}

/** Decodes a request (or stream message) body; a codec failure is a 400 `tsmicro.malformed`. */
export function decodeRequest(codec: Codec, data: Buffer, frame: Frame): unknown {
  try {
    return codec.unmarshal(data, frame);
  } catch (err) {
    throw badRequest(`malformed ${codec.name} body: ${(err as Error).message}`, ErrorIds.malformed);
  }
}

/** Encodes a handler's result; a value the codec cannot encode (wrong shape for its `.proto` type) is a 500 naming the endpoint. */
export function encodeResponse(codec: Codec, value: unknown, frame: Frame): Buffer {
  try {
    return codec.marshal(value, frame);
  } catch (err) {
    throw internalServerError(`cannot encode the response of "${frame.endpoint}" as ${codec.name}: ${(err as Error).message}`);
  }
}

/**
 * `body` checked against the handler's request class, when it has one and validates. Valid
 * bodies come back synchronously; only the slow (invalid or unmodelled) path is a promise.
 */
export function validateFor(handler: HandlerDescriptor, body: unknown, forbidDefault: boolean): unknown {
  if (!handler.validate || !handler.requestType) return body;
  return validateFast(handler.requestType, body, handler.forbidNonWhitelisted ?? forbidDefault);
}

/** The innermost stage with the server default `forbidNonWhitelisted: false`. */
export const invokeHandler: HandlerFn = validateAndInvoke(false);

/** The error reply to `msg` without dispatching it (a request refused before any handler saw it). */
export function errorReply(msg: Message, errorHeader: string): Message {
  const h = msg.header;
  return {
    header: { [Headers.id]: h[Headers.id] ?? "", [Headers.contentType]: h[Headers.contentType] ?? DEFAULT_CONTENT_TYPE, [Headers.error]: errorHeader },
    body: Buffer.alloc(0),
  };
}

async function runWithDeadline(
  deps: DispatchDeps,
  h: Record<string, string>,
  endpoint: string,
  run: (ctx: Context) => unknown,
  cancels: SocketCancellations | undefined,
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
  if (budgetMs === undefined && cancels === undefined) return run(ctx);
  const id = h[Headers.id] ?? "";
  return new Promise<unknown>((resolve, reject) => {
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(run(ctx));
    } catch (err) {
      return reject(err);
    }
    // The deadline passing and the caller cancelling end the request the same way.
    const abort: Abort = (reason) => {
      clearTimeout(timer);
      cancels?.delete(id, abort);
      expired ??= reason;
      controller?.abort(reason);
      reject(reason);
    };
    const timer = budgetMs === undefined
      ? undefined
      : setTimeout(() => abort(timeout(`${endpoint} exceeded its deadline of ${Math.round(budgetMs)}ms`)), clampDelay(budgetMs)); // a budget of 2^31 ms or more would otherwise fire at once
    cancels?.add(id, abort);
    result.then(
      (v) => (clearTimeout(timer), cancels?.delete(id, abort), resolve(v)),
      (e: unknown) => (clearTimeout(timer), cancels?.delete(id, abort), reject(e)),
    );
  });
}

function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { message: err.message, stack: err.stack } : { value: String(err) };
}
