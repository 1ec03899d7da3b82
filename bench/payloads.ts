/** The two RPC operations every system implements. */
export type Op = "hello" | "echo";

/** `{ name: "John" }`, answered `{ greeting: "Hello John" }`. */
export interface HelloRequest {
  name: string;
}
export interface HelloResponse {
  greeting: string;
}
/** A string echoed back unchanged. */
export interface EchoMessage {
  text: string;
}

/** The small request of issue 3. */
export const HELLO: HelloRequest = { name: "John" };

/** 16 KiB of printable ASCII (no characters JSON would escape). */
export const ECHO: EchoMessage = { text: makeText(16 * 1024) };

/** What a server answers to `hello`. */
export function greet(req: HelloRequest): HelloResponse {
  return { greeting: `Hello ${req.name}` };
}

/** The request body sent for `op`. */
export function requestFor(op: Op): HelloRequest | EchoMessage {
  return op === "hello" ? HELLO : ECHO;
}

/** True when `res` is the right answer to the request of `op`. Every response goes through this. */
export function isCorrect(op: Op, res: unknown): boolean {
  if (typeof res !== "object" || res === null) return false;
  if (op === "hello") return (res as Partial<HelloResponse>).greeting === "Hello John";
  return (res as Partial<EchoMessage>).text === ECHO.text;
}

/** One pub/sub event. */
export interface BenchEvent {
  seq: number;
  name: string;
}

/** The topic / subject / event name every pub/sub system uses. */
export const EVENT_TOPIC = "bench.event";

/** The sequence number of a well-formed event, or -1. */
export function eventSeq(ev: unknown, count: number): number {
  if (typeof ev !== "object" || ev === null) return -1;
  const { seq, name } = ev as Partial<BenchEvent>;
  return name === "John" && Number.isInteger(seq) && (seq as number) >= 0 && (seq as number) < count ? (seq as number) : -1;
}

function makeText(bytes: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-";
  let out = "";
  for (let i = 0; i < bytes; i++) out += alphabet[(i * 7 + (i >> 6)) % alphabet.length];
  return out;
}
