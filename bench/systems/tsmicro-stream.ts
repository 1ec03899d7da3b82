import { IsInt, IsString, Min } from "class-validator";
import { createClient, createService, Handler, Module, PinoLogger, Service, type MicroSettings } from "../../src";
import { STREAM_TEXT, type StreamAdapter } from "./stream-types";

// tsmicro streams as a user writes them: an async generator (server stream) and an async
// generator over an AsyncIterable (bidi), elements validated; the client uses client.stream.

class CountDto {
  @IsInt()
  @Min(0)
  to!: number;
}

class TextDto {
  @IsString()
  text!: string;
}

@Service("bench-stream")
class BenchStreamer {
  @Handler("Streamer.Count")
  async *count(req: CountDto): AsyncGenerator<{ n: number }> {
    for (let i = 0; i < req.to; i++) yield { n: i };
  }

  @Handler("Streamer.Echo", { request: TextDto })
  async *echo(input: AsyncIterable<TextDto>): AsyncGenerator<TextDto> {
    for await (const m of input) yield { text: m.text };
  }
}

@Module({ services: [BenchStreamer] })
class BenchStreamModule {}

const isolated = (settings: Partial<MicroSettings>) => ({ settings, env: {}, argv: [], logger: new PinoLogger({ level: "warn" }) });

/** tsmicro streams over `transport`. */
export function tsmicroStream(transport: string): StreamAdapter {
  const settings: Partial<MicroSettings> = { registry: "memory", broker: "memory", transport };
  return {
    async startServer() {
      const service = createService(BenchStreamModule, isolated(settings));
      await service.start();
      return { address: service.server.address, close: () => service.stop() };
    },
    async connect(address) {
      const { client, close } = await createClient(isolated(settings));
      const options = { address, timeoutMs: 120_000 };
      return {
        async run(mode, count, onMessage) {
          if (mode === "server") {
            const s = client.stream("bench-stream", "Streamer.Count", options);
            await s.send({ to: count });
            await s.close();
            for await (const m of s) onMessage(m);
            return;
          }
          const s = client.stream("bench-stream", "Streamer.Echo", options);
          const sending = (async () => {
            for (let i = 0; i < count; i++) await s.send({ text: STREAM_TEXT });
            await s.close();
          })();
          for await (const m of s) onMessage(m);
          await sending;
        },
        close,
      };
    },
  };
}
