import { bootstrap } from "../../src";
import { StreamerModule } from "./streamer";

// Runs the streamer until SIGINT/SIGTERM (open streams get the drain timeout to finish).
void bootstrap(StreamerModule).then((service) => console.log(`streamer ready at ${service.server.address}`));
