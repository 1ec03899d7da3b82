import { bootstrap } from "../../src";
import { WalletModule } from "./wallet";

// Serves until SIGTERM / Ctrl-C. `--server_name=<name>` registers it under another name.
void bootstrap(WalletModule).then((service) => console.log(`wallet ready at ${service.server.address}`));
