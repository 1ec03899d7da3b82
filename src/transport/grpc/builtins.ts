import type { ServerHttp2Stream } from "node:http2";
import { badRequest, internalServerError, MicroError, toMicroError } from "../../errors";
import { frameMessage, MessageReader } from "./framing";
import { errorTrailers, OK_TRAILERS } from "./trailers";

/**
 * Serves a call the transport answers itself (health, reflection): every request message gets
 * `answer(body)` as a response message, and the call ends OK once the client ends its side.
 * `unary` refuses a second request message.
 */
export function serveBuiltin(stream: ServerHttp2Stream, contentType: string, unary: boolean, maxBytes: number, answer: (body: Buffer) => Buffer): void {
  const reader = new MessageReader(maxBytes);
  let count = 0;
  let failed = false;
  stream.on("error", () => undefined);
  stream.respond({ ":status": 200, "content-type": contentType }, { waitForTrailers: true });
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    const trailers = errorTrailers(toMicroError(error));
    stream.once("wantTrailers", () => !stream.destroyed && stream.sendTrailers(trailers));
    stream.end();
    stream.resume();
  };
  stream.on("data", (chunk: Buffer) => {
    if (failed) return;
    const messages = reader.push(chunk);
    if (typeof messages === "string") return fail(badRequest(`request refused: ${messages}`));
    for (const body of messages) {
      if (unary && ++count > 1) return fail(badRequest("a unary call sent more than one request message"));
      try {
        stream.write(frameMessage(answer(body)));
      } catch (err) {
        return fail(MicroError.is(err) ? err : badRequest(`bad request message: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  });
  stream.on("end", () => {
    if (failed || stream.destroyed) return;
    if (unary && count === 0) return fail(internalServerError("a unary call sent no request message"));
    stream.once("wantTrailers", () => !stream.destroyed && stream.sendTrailers(OK_TRAILERS));
    stream.end();
  });
}
