import { Agent, createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { greet, type HelloRequest } from "../payloads";
import type { ClientHandle, RpcAdapter, ServerHandle, SystemEnv } from "./types";

// The limit for an HTTP/1.1 transport: node:http with keep-alive, one POST per request,
// `/hello` and `/echo`, JSON bodies.

function readBody(msg: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    msg.on("data", (c: Buffer) => chunks.push(c));
    msg.on("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString()));
    msg.on("error", reject);
  });
}

async function startServer(): Promise<ServerHandle> {
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    readBody(req).then((text) => {
      const body: unknown = JSON.parse(text);
      const json = JSON.stringify(req.url === "/hello" ? greet(body as HelloRequest) : body);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
      res.end(json);
    }, () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function connect(address: string, env: SystemEnv): Promise<ClientHandle> {
  const [host, port] = address.split(":") as [string, string];
  // One socket per concurrent request, all kept alive.
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(env.concurrency, 1) });
  return {
    call(op, body) {
      const json = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          { agent, host, port: Number(port), method: "POST", path: `/${op}`, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(json) } },
          (res) => void readBody(res).then((text) => resolve(JSON.parse(text)), reject),
        );
        req.on("error", reject);
        req.end(json);
      });
    },
    close: async () => agent.destroy(),
  };
}

/** Raw node:http keep-alive. */
export const rawHttp: RpcAdapter = { startServer, connect };
