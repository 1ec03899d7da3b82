import { systemById } from "../systems";
import { childConfig, onParent, runChild, send, usage } from "./runtime";

// An RPC system's server process: starts the server, reports its address, answers usage queries.

runChild(async () => {
  const { system, env } = childConfig();
  const sys = systemById(system);
  if (sys.kind === "pubsub") throw new Error(`${system} is not an RPC or stream system`);
  const server = await (await sys.load()).startServer(env);
  onParent((m) => {
    if (m.type === "usage") send({ type: "usage", usage: usage() });
  });
  send({ type: "ready", address: server.address });
});
