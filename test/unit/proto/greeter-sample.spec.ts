import { MicroError, Test, type TestingModule } from "../../../src";
import { GreeterModule } from "../../../samples/greeter/greeter";
import { GreeterClient } from "../../../samples/greeter/greeter.pb";

describe("the greeter sample serves greeter.proto", () => {
  let app: TestingModule;
  beforeAll(async () => {
    app = await Test.createTestingModule(GreeterModule).compile();
  });
  afterAll(() => app?.close());

  it("answers the generated client in protobuf", async () => {
    expect(await new GreeterClient(app.client).hello({ name: "John" })).toEqual({ greeting: "Hello John" });
  });

  it("answers JSON as before", async () => {
    expect(await app.client.call("greeter", "Greeter.Hello", { name: "John" })).toEqual({ greeting: "Hello John" });
  });

  it("keeps HelloRequest's validation for protobuf requests", async () => {
    const err = await new GreeterClient(app.client).hello({ name: "" }).catch((e: unknown) => e);
    expect(MicroError.is(err) && err.code).toBe(400);
    expect((err as MicroError).id).toBe("tsmicro.validation");
  });
});
