import { IsInt, IsString, Max, Min } from "class-validator";
import { Context, Handler, Module, Service } from "../../src";

/** `Streamer.Count`'s request: how many numbers to stream (0 to 100000). */
export class CountRequest {
  @IsInt()
  @Min(0)
  @Max(100_000)
  to!: number;
}

/** One number: `Streamer.Count`'s responses and `Streamer.Sum`'s requests. */
export class NumberMessage {
  @IsInt()
  n!: number;
}

/** `Streamer.Sum`'s response. */
export class SumResponse {
  @IsInt()
  sum!: number;
}

/** One line of text: `Streamer.Echo`'s requests and responses. */
export class TextMessage {
  @IsString()
  text!: string;
}

/** The streamer service: one endpoint of each stream kind. */
@Service("streamer", { version: "1.0.0" })
export class Streamer {
  // Server stream: an async generator taking a request class. Each yield is one message; the
  // client's window holds the loop back when it reads slowly, and ctx.signal ends it on cancel.
  @Handler("Streamer.Count", { response: NumberMessage })
  async *count(req: CountRequest, ctx: Context): AsyncGenerator<NumberMessage> {
    for (let i = 0; i < req.to && !ctx.signal.aborted; i++) yield { n: i };
  }

  // Client stream: `stream: true` on a plain async method; each incoming message is validated
  // against `request` before the loop sees it.
  @Handler("Streamer.Sum", { stream: true, request: NumberMessage, response: SumResponse })
  async sum(numbers: AsyncIterable<NumberMessage>): Promise<SumResponse> {
    let sum = 0;
    for await (const m of numbers) sum += m.n;
    return { sum };
  }

  // Bidirectional: an async generator reading an AsyncIterable.
  @Handler("Streamer.Echo", { request: TextMessage, response: TextMessage })
  async *echo(lines: AsyncIterable<TextMessage>): AsyncGenerator<TextMessage> {
    for await (const m of lines) yield { text: m.text };
  }
}

/** The module that runs it on the default providers. */
@Module({ services: [Streamer] })
export class StreamerModule {}
