import type { Client } from "../client/client";

/** Where `micro stream` writes. */
export interface StreamOutput {
  out(text: string): void;
}

/**
 * `micro stream`: sends each message (parsed JSON values, or JSON text lines from stdin, blank
 * lines skipped) on a stream to `endpoint`, half-closes, and prints each response as one JSON
 * line. Resolves at the end of the stream; rejects with the stream's error (or a line's JSON error).
 */
export async function streamCommand(
  client: Client,
  service: string,
  endpoint: string,
  messages: Iterable<unknown> | AsyncIterable<string>,
  io: StreamOutput,
): Promise<void> {
  const stream = client.stream(service, endpoint);
  const sending = (async () => {
    let n = 0;
    for await (const m of messages as AsyncIterable<unknown>) {
      n++;
      if (typeof m === "string") {
        if (m.trim() === "") continue;
        await stream.send(parseLine(m, n));
      } else {
        await stream.send(m);
      }
    }
    await stream.close();
  })();
  // A failed send (the stream ended early, a bad line) must not go unheard while responses are read.
  let sendError: unknown;
  sending.catch((err: unknown) => {
    sendError = err;
    stream.cancel(`the input failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  try {
    for await (const res of stream) io.out(`${JSON.stringify(res)}\n`);
  } catch (err) {
    throw sendError ?? err;
  }
}

function parseLine(line: string, n: number): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new Error(`line ${n} is not valid JSON: ${(err as Error).message}`);
  }
}
