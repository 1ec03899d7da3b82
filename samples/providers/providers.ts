import { IsString } from "class-validator";
import {
  Handler,
  Inject,
  Injectable,
  Logger,
  MemoryBroker,
  MemoryRegistry,
  Module,
  Registry,
  Broker,
  Service,
  createService,
  createClient,
} from "../../src";

/** A plain provider the service depends on. */
@Injectable()
export class Clock {
  now(): string {
    return new Date(0).toISOString();
  }
}

/** A token for a value provider. */
export const GREETING = Symbol("GREETING");

class TimeRequest {
  @IsString() zone!: string;
}

@Service("clock")
export class ClockService {
  constructor(
    @Inject(Clock) private readonly clock: Clock,
    @Inject(GREETING) private readonly greeting: string,
    @Inject(Logger) private readonly logger: Logger,
  ) {}

  @Handler()
  async time(req: TimeRequest): Promise<{ text: string }> {
    this.logger.debug("time asked", { zone: req.zone });
    return { text: `${this.greeting}, it is ${this.clock.now()} (${req.zone})` };
  }
}

// One shared in-memory registry and broker: the module swaps the defaults (mDNS, HTTP broker)
// for them with one line each.
const registry = new MemoryRegistry();

@Module({
  services: [ClockService],
  providers: [
    Clock,
    { provide: GREETING, useValue: "Good morning" },
    { provide: Registry, useValue: registry },
    { provide: Broker, useFactory: () => new MemoryBroker() },
  ],
})
class ProvidersModule {}

async function main(): Promise<void> {
  const service = createService(ProvidersModule);
  await service.start();
  const { client, close } = await createClient({ registry });
  console.log(await client.call("clock", "ClockService.Time", { zone: "UTC" }));
  await close();
  await service.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
