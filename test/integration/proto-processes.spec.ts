import { randomUUID } from "node:crypto";
import { MicroError, SilentLogger, createClient, type StandaloneClient } from "../../src";
import type { Greeter } from "../../samples/greeter/greeter";
import { GreeterClient, GreeterMethods, type HelloResponse } from "../../samples/greeter/greeter.pb";
import { killAll, startNode } from "../helpers/processes";
import { waitFor } from "../helpers/wait";

// The built greeter sample in its own process, found over mDNS on loopback, called in
// protobuf by its generated client and by a typed client read from its advertised endpoints.
const NAME = `greeter-proto-${randomUUID().slice(0, 8)}`;

describe("the greeter sample serves greeter.proto across processes", () => {
  let standalone: StandaloneClient;

  beforeAll(async () => {
    const greeter = startNode("samples/greeter/service.js", [], { MICRO_SERVER_NAME: NAME });
    await greeter.waitFor(/ready at (\S+)/);
    standalone = await createClient({ argv: [], env: { MICRO_BROKER: "memory" }, logger: new SilentLogger() });
    await waitFor(async () => (await standalone.registry.getService(NAME)).length > 0, 10_000, "greeter registered");
  });

  afterAll(async () => {
    await standalone?.close();
    await killAll();
  });

  it("answers the generated client in application/protobuf and application/proto-rpc", async () => {
    const greeter = new GreeterClient(standalone.client, NAME);
    expect(await greeter.hello({ name: "John" })).toEqual({ greeting: "Hello John" });
    expect(await greeter.hello({ name: "Jane" }, { contentType: "application/proto-rpc" })).toEqual({ greeting: "Hello Jane" });
  });

  it("decodes protobuf written by hand, and answers malformed protobuf with a 400 naming the problem", async () => {
    const body = Buffer.from([0x0a, 0x03, 0x41, 0x6e, 0x6e]); // HelloRequest{name:"Ann"} by hand
    const res = await standalone.client.call<HelloResponse>(NAME, "Greeter.Hello", body, { contentType: "application/protobuf", schema: GreeterMethods.hello });
    expect(res).toEqual({ greeting: "Hello Ann" });
    const err = await standalone.client
      .call(NAME, "Greeter.Hello", Buffer.from([0x0a, 0x09, 0x41]), { contentType: "application/protobuf", schema: GreeterMethods.hello })
      .catch((e: unknown) => e);
    expect(MicroError.is(err) && err.code).toBe(400);
    expect((err as MicroError).detail).toMatch(/^malformed protobuf body: /);
  });

  it("keeps HelloRequest's validation for protobuf requests", async () => {
    const err = await new GreeterClient(standalone.client, NAME).hello({ name: "" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 400, id: "tsmicro.validation" });
  });

  it("gives a typed client its endpoints from what the service advertises over mDNS", async () => {
    const greeter = standalone.client.service<Greeter>(NAME);
    expect(await greeter.hello({ name: "Typed" })).toEqual({ greeting: "Hello Typed" });
  });
});
