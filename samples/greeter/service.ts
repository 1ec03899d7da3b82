import { bootstrap } from "../../src";
import { GreeterModule } from "./greeter";

// Runs the greeter until SIGINT/SIGTERM, then deregisters, drains and exits 0. If start-up
// fails, bootstrap prints one line to stderr and exits 1 (its `abortOnError` option).
void bootstrap(GreeterModule).then((service) => console.log(`greeter ready at ${service.server.address}`));
