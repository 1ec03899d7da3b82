import { randomUUID } from "node:crypto";
import { IsInt, IsString, Max, Min } from "class-validator";
import {
  badRequest,
  Context,
  explore,
  Handler,
  HttpTransport,
  MemoryRegistry,
  RegistrySelector,
  RpcClient,
  RpcServer,
  Service,
  TcpTransport,
  type Transport,
} from "../../../src";

/** `{ to }`: how many messages a counting stream sends. */
export class CountRequest {
  @IsInt() @Min(0) @Max(1_000_000) to!: number;
}

/** `{ n }`: one number. */
export class NumberMessage {
  @IsInt() n!: number;
}

/** `{ text }`: one line. */
export class TextMessage {
  @IsString() text!: string;
}

/** What the handlers saw, for assertions on the server side. */
export interface Observed {
  /** The reason `ctx.signal` aborted with, per endpoint (resolves when it does). */
  aborted: Promise<unknown>;
  /** Messages the endless producer yielded so far. */
  produced: number;
}

/** Builds the test service with every stream kind, reporting into `observed`. */
export function streamerOf(observed: Observed & { abort(reason: unknown): void }): object {
  @Service("streamer-test")
  class Streamer {
    @Handler("Streamer.Count")
    async *count(req: CountRequest): AsyncGenerator<NumberMessage> {
      for (let i = 0; i < req.to; i++) yield { n: i };
    }

    @Handler("Streamer.Sum", { stream: true, request: NumberMessage })
    async sum(input: AsyncIterable<NumberMessage>): Promise<{ sum: number }> {
      let sum = 0;
      for await (const m of input) sum += m.n;
      return { sum };
    }

    @Handler("Streamer.Echo", { request: TextMessage })
    async *echo(input: AsyncIterable<TextMessage>): AsyncGenerator<TextMessage> {
      for await (const m of input) yield { text: m.text };
    }

    @Handler("Streamer.First", { request: TextMessage })
    async *first(input: AsyncIterable<TextMessage>): AsyncGenerator<TextMessage> {
      for await (const m of input) {
        yield { text: `first: ${m.text}` };
        return;
      }
    }

    @Handler("Streamer.Fail")
    async *fail(req: CountRequest): AsyncGenerator<NumberMessage> {
      yield { n: req.to };
      throw badRequest("boom after the first message");
    }

    @Handler("Streamer.Forever")
    async *forever(_req: CountRequest, ctx: Context): AsyncGenerator<NumberMessage> {
      ctx.signal.addEventListener("abort", () => observed.abort(ctx.signal.reason));
      for (let i = 0; !ctx.signal.aborted; i++) {
        observed.produced = i + 1;
        yield { n: i };
      }
    }

    @Handler("Streamer.Ping")
    async ping(req: CountRequest): Promise<NumberMessage> {
      return { n: req.to };
    }
  }
  return new Streamer();
}

/** A running server and a client on one transport. */
export interface StreamRig {
  service: string;
  server: RpcServer;
  client: RpcClient;
  observed: Observed;
  close(): Promise<void>;
}

/** The transports every stream scenario runs on. */
export const TRANSPORTS: ReadonlyArray<[string, () => Transport]> = [
  ["tcp", () => new TcpTransport()],
  ["http", () => new HttpTransport()],
];

/** Starts the test service on `transport` with a client for it. */
export async function startRig(make: () => Transport, drainTimeoutMs = 2000): Promise<StreamRig> {
  const service = `streamer-${randomUUID().slice(0, 8)}`;
  const registry = new MemoryRegistry();
  let abort!: (reason: unknown) => void;
  const observed = { aborted: new Promise<unknown>((r) => (abort = r)), produced: 0, abort: (reason: unknown) => abort(reason) };
  const server = new RpcServer({ name: service, registry, transport: make(), drainTimeoutMs });
  server.handle(explore(streamerOf(observed)).handlers);
  await server.start();
  const clientTransport = make();
  const client = new RpcClient({ selector: new RegistrySelector({ registry }), transport: clientTransport });
  return {
    service,
    server,
    client,
    observed,
    close: async () => {
      await client.close();
      await server.stop();
      await clientTransport.close();
    },
  };
}

/** Collects a stream's responses. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of stream) out.push(m);
  return out;
}
