import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { join } from "node:path";
import { repoRoot } from "../paths";
import { greet, type EchoMessage, type HelloRequest, type HelloResponse, type Op } from "../payloads";
import type { ClientHandle, RpcAdapter, ServerHandle } from "./types";

// @grpc/grpc-js unary calls over one HTTP/2 channel, protobuf messages from greeter.proto
// (loaded with @grpc/proto-loader, as most grpc-js users do), no TLS.

/** The .proto is read from the source tree (tsc does not copy it). */
const PROTO = join(repoRoot(), "bench", "systems", "greeter.proto");

function greeterConstructor(): grpc.ServiceClientConstructor {
  const pkg = grpc.loadPackageDefinition(loadSync(PROTO, { keepCase: true }));
  // loadPackageDefinition is untyped: bench.Greeter is the service client constructor.
  return (pkg.bench as grpc.GrpcObject).Greeter as grpc.ServiceClientConstructor;
}

async function startServer(): Promise<ServerHandle> {
  const Greeter = greeterConstructor();
  const server = new grpc.Server();
  const hello: grpc.handleUnaryCall<HelloRequest, HelloResponse> = (call, cb) => cb(null, greet(call.request));
  const echo: grpc.handleUnaryCall<EchoMessage, EchoMessage> = (call, cb) => cb(null, { text: call.request.text });
  server.addService(Greeter.service, { Hello: hello, Echo: echo } as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? fail(err) : ok(p))),
  );
  return { address: `127.0.0.1:${port}`, close: () => new Promise<void>((ok) => server.tryShutdown(() => ok())) };
}

type UnaryMethod = (req: unknown, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

async function connect(address: string): Promise<ClientHandle> {
  const Greeter = greeterConstructor();
  const client = new Greeter(address, grpc.credentials.createInsecure());
  await new Promise<void>((ok, fail) => client.waitForReady(Date.now() + 5_000, (err) => (err ? fail(err) : ok())));
  // Generated methods are not in grpc.Client's type; they are the service's method names.
  const methods = client as unknown as Record<"Hello" | "Echo", UnaryMethod>;
  const method: Record<Op, UnaryMethod> = { hello: methods.Hello.bind(client), echo: methods.Echo.bind(client) };
  return {
    call: (op, body) => new Promise((ok, fail) => method[op](body, (err, res) => (err ? fail(err) : ok(res)))),
    close: async () => client.close(),
  };
}

/** @grpc/grpc-js unary. */
export const grpcUnary: RpcAdapter = { startServer, connect };
