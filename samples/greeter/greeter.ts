import { IsString, Length } from "class-validator";
import { Context, Handler, Module, ProtoTypes, Service, Subscribe } from "../../src";
import { GreeterProto, type GreeterHandler } from "./greeter.pb"; // generated from greeter.proto by `npm run generate`

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

/** The event `tsmicro publish user.created '{"id":"u1"}'` sends. */
export class UserCreated {
  @IsString()
  id!: string;
}

/** The greeter service: the endpoint `Greeter.Hello` and a subscriber of `user.created`. */
@Service("greeter", { version: "1.0.0" })
export class Greeter implements GreeterHandler {
  // Endpoint "Greeter.Hello": <Class>.<Method>, the method name capitalised. The request class
  // comes from the parameter type; `response` names the class advertised in the registry.
  @Handler({ response: HelloResponse, idempotent: true }) // safe to run twice: retried elsewhere if its node dies mid-call
  async hello(req: HelloRequest, ctx: Context): Promise<HelloResponse> {
    ctx.logger.debug("hello", { name: req.name, caller: ctx.caller });
    return { greeting: `Hello ${req.name}` };
  }

  // No queue group: every greeter process gets every event.
  @Subscribe("user.created")
  async onUserCreated(ev: UserCreated): Promise<void> {
    console.log(`greeter: user ${ev.id} created`);
  }
}

/**
 * The module that runs it on the default providers. With greeter.proto's types, `Greeter.Hello`
 * (rpc `Hello` of `greeter.Greeter`) is served in protobuf as well as JSON.
 */
@Module({ services: [Greeter], providers: [{ provide: ProtoTypes, useValue: GreeterProto }] })
export class GreeterModule {}
