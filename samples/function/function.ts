import { IsString } from "class-validator";
import { bootstrapFunction, Handler, Module, Service } from "../../src";

class ReverseRequest {
  @IsString() text!: string;
}

/** A function: it serves exactly one call, then drains, deregisters and exits. */
@Service("reverser")
export class Reverser {
  @Handler()
  async reverse(req: ReverseRequest): Promise<{ text: string }> {
    return { text: [...req.text].reverse().join("") };
  }
}

@Module({ services: [Reverser] })
class FunctionModule {}

bootstrapFunction(FunctionModule).then(
  async (fn) => {
    console.log(`reverser function ready at ${fn.server.address}`);
    await fn.done;
    console.log("served one call; exiting");
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
