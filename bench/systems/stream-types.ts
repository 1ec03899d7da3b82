import type { ServerHandle, SystemEnv } from "./types";

/** The two stream scenarios: a server stream of small messages, and a bidirectional echo. */
export type StreamMode = "server" | "bidi";

/** The small message a server stream sends (`{ n }`) and the one echoed (`{ text }`). */
export const STREAM_TEXT = "hello";

/** A connected stream client (in the stream generator process). */
export interface StreamClientHandle {
  /**
   * Runs one stream of `count` messages: a server stream of `{ n: 0 … count-1 }` for a
   * `{ to: count }` request, or `count` `{ text }` messages echoed back. Calls `onMessage` with
   * each decoded response and resolves at the end of the stream.
   */
  run(mode: StreamMode, count: number, onMessage: (message: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

/** One streaming system under test. */
export interface StreamAdapter {
  startServer(env: SystemEnv): Promise<ServerHandle>;
  connect(address: string, env: SystemEnv): Promise<StreamClientHandle>;
}

/** True when `m` is the right `i`-th response of a stream in `mode`. */
export function isStreamAnswer(mode: StreamMode, m: unknown, i: number): boolean {
  const o = m as { n?: unknown; text?: unknown } | null;
  return mode === "server" ? o?.n === i : o?.text === STREAM_TEXT;
}
