import { bootstrap } from "../../src";
import { GreeterModule } from "./greeter";

// Runs the greeter until SIGINT/SIGTERM, then deregisters, drains and exits 0.
bootstrap(GreeterModule).then(
  (service) => console.log(`greeter ready at ${service.server.address}`),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
