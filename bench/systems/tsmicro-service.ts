import { IsInt, IsString, Length, Min } from "class-validator";
import { join } from "node:path";
import { Handler, Inject, Module, ProtoRegistry, ProtoTypes, Service, Subscribe } from "../../src";
import { repoRoot } from "../paths";
import { EVENT_TOPIC, greet, type EchoMessage, type HelloResponse } from "../payloads";

// The tsmicro service the suite measures, written the way samples/greeter is: decorated
// classes, validated requests. (tsmicro validates by default; the peers here do not.)

/** The hello request, validated like samples/greeter's. */
export class HelloRequestDto {
  @IsString()
  @Length(1, 64)
  name!: string;
}

/** The echo request: a string of any length. */
export class EchoDto {
  @IsString()
  text!: string;
}

/** `Greeter.Hello` and `Greeter.Echo` on the service "bench". */
@Service("bench", { version: "1.0.0" })
export class BenchGreeter {
  @Handler("Greeter.Hello")
  async hello(req: HelloRequestDto): Promise<HelloResponse> {
    return greet(req);
  }

  @Handler("Greeter.Echo")
  async echo(req: EchoDto): Promise<EchoMessage> {
    return { text: req.text };
  }
}

/** The RPC module. */
@Module({ services: [BenchGreeter] })
export class BenchRpcModule {}

/** The RPC module serving bench/systems/greeter.proto's types too (protobuf bodies, as the grpc-js row uses). */
@Module({ services: [BenchGreeter], providers: [{ provide: ProtoTypes, useFactory: () => benchProtos() }] })
export class BenchProtoRpcModule {}

/** The gRPC row's .proto, loaded once per process (tsc does not copy it: read from the source tree). */
export function benchProtos(): ProtoRegistry {
  return (protos ??= ProtoRegistry.load(join(repoRoot(), "bench", "systems", "greeter.proto")));
}
let protos: ProtoRegistry | undefined;

/** The pub/sub event. */
export class BenchEventDto {
  @IsInt()
  @Min(0)
  seq!: number;

  @IsString()
  name!: string;
}

/** DI token of the function a subscriber hands each event to. */
export const EVENT_SINK = Symbol("bench.event-sink");

/** Receives `bench.event`. */
@Service("bench-listener")
export class BenchListener {
  constructor(@Inject(EVENT_SINK) private readonly sink: (event: unknown) => void) {}

  @Subscribe(EVENT_TOPIC)
  async onEvent(ev: BenchEventDto): Promise<void> {
    this.sink(ev);
  }
}

/** Receives `bench.event` at least once in queue group "bench" (a JetStream durable consumer on nats, a stream group on redis, a durable queue on rabbitmq). */
@Service("bench-durable-listener")
export class BenchDurableListener {
  constructor(@Inject(EVENT_SINK) private readonly sink: (event: unknown) => void) {}

  @Subscribe(EVENT_TOPIC, { delivery: "at-least-once", queue: "bench" })
  async onEvent(ev: BenchEventDto): Promise<void> {
    this.sink(ev);
  }
}
