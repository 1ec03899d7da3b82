import { IsString, Length } from "class-validator";
import { Context, Handler, Module, Service } from "../../src";

/** The request: a non-empty name of at most 64 characters. */
export class HelloRequest {
  @IsString()
  @Length(1, 64)
  name!: string;
}

/** The response. */
export class HelloResponse {
  @IsString()
  greeting!: string;
}

/** The greeter service: one endpoint, `Greeter.Hello`. */
@Service("greeter", { version: "1.0.0" })
export class Greeter {
  @Handler({ response: HelloResponse })
  async hello(req: HelloRequest, ctx: Context): Promise<HelloResponse> {
    ctx.logger.debug("hello", { name: req.name, caller: ctx.caller });
    return { greeting: `Hello ${req.name}` };
  }
}

/** The module that runs it on the default providers. */
@Module({ services: [Greeter] })
export class GreeterModule {}
