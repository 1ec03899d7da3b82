import { IsString } from "class-validator";
import { Context, Module, Service, Subscribe, bootstrap } from "../../src";

/** The event both subscribers receive. */
export class UserCreated {
  @IsString() id!: string;
}

/**
 * Two subscribers on one topic. `audit` has no queue, so every instance gets every event;
 * `welcome` is in the queue group "mailer", so each event goes to one instance of the group.
 * A lost welcome mail matters, so `welcome` asks for at-least-once delivery: a failure is
 * retried with backoff, then the event goes to `user.created.dlq` (durably on nats, rabbitmq and
 * redis; in the listener's memory on the default http broker).
 */
@Service("users-listener")
export class Listener {
  @Subscribe("user.created")
  async audit(ev: UserCreated, ctx: Context): Promise<void> {
    console.log(`audit: user ${ev.id} created (trace ${ctx.trace?.traceId})`);
  }

  @Subscribe("user.created", { queue: "mailer", delivery: "at-least-once", maxAttempts: 5 })
  async welcome(ev: UserCreated): Promise<void> {
    console.log(`mailer: welcome mail to ${ev.id}`);
  }
}

@Module({ services: [Listener] })
class PubSubModule {}

bootstrap(PubSubModule).then(
  (s) => console.log(`listener ready at ${s.server.address}`),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
