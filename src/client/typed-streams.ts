import type { CallOptions, Client } from "./client";
import type { ClientStream } from "./stream";

/** Messages to send on a stream: an array, a generator or any other (async) iterable. */
export type StreamInput<T> = AsyncIterable<T> | Iterable<T>;

/**
 * Calls a server-streaming endpoint: sends `request`, closes the sending side and yields the
 * responses. The stream opens when iteration starts; leaving the loop early cancels it.
 */
export function serverStream<Req, Res>(client: Client, service: string, endpoint: string, request: Req, options?: CallOptions): AsyncIterable<Res> {
  return iterate<Req, Res>(client, service, endpoint, options, async (stream) => {
    await stream.send(request);
    await stream.close();
  });
}

/** Calls a client-streaming endpoint: sends every message of `input`, closes, and resolves with the one response. */
export async function clientStream<Req, Res>(client: Client, service: string, endpoint: string, input: StreamInput<Req>, options?: CallOptions): Promise<Res> {
  const stream = client.stream<Req, Res>(service, endpoint, options);
  try {
    await sendAll(stream, input);
  } catch (err) {
    stream.cancel(String(err));
    throw err;
  }
  const response = await stream.recv();
  if (response === undefined) throw new Error(`${endpoint} ended its stream without a response`);
  return response;
}

/**
 * Calls a bidirectional endpoint: sends `input` while yielding the responses as they arrive.
 * A failure reading `input` cancels the stream and is thrown to the reader.
 */
export function bidiStream<Req, Res>(client: Client, service: string, endpoint: string, input: StreamInput<Req>, options?: CallOptions): AsyncIterable<Res> {
  return iterate<Req, Res>(client, service, endpoint, options, (stream) => sendAll(stream, input));
}

function iterate<Req, Res>(
  client: Client,
  service: string,
  endpoint: string,
  options: CallOptions | undefined,
  feed: (stream: ClientStream<Req, Res>) => Promise<void>,
): AsyncIterable<Res> {
  return {
    async *[Symbol.asyncIterator]() {
      const stream = client.stream<Req, Res>(service, endpoint, options);
      let failure: { error: unknown } | undefined;
      // Sending runs beside reading, so a bidi handler's replies are read while requests still go out.
      const fed = feed(stream).catch((error: unknown) => {
        failure = { error };
        stream.cancel(String(error));
      });
      let finished = false;
      try {
        for await (const message of stream) yield message;
        finished = true;
      } catch (err) {
        if (!failure) throw err;
      } finally {
        if (!finished) stream.cancel("the reader stopped");
        await fed;
      }
      if (failure) throw failure.error;
    },
  };
}

async function sendAll<Req>(stream: ClientStream<Req, unknown>, input: StreamInput<Req>): Promise<void> {
  for await (const message of input) await stream.send(message);
  await stream.close();
}
