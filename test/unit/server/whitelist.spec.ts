import { Allow, IsEmail, IsOptional, IsString, Length, ValidateNested } from "class-validator";
import { Type } from "class-transformer";
import { CodecSet, JsonCodec, MicroError, SilentLogger, validateInto, type HandlerDescriptor } from "../../../src";
import { dispatch, validateAndInvoke } from "../../../src/server/dispatch";
import { compileCheck } from "../../../src/server/validation";
import { Router } from "../../../src/server/router";

// Regression: unknown properties reached the handler's request (mass assignment).

class Profile {
  @IsEmail() email!: string;
}
class UpdateUser {
  @IsString() @Length(1, 10) name!: string;
  @IsOptional() @ValidateNested() @Type(() => Profile) profile?: Profile;
}
class Plain {
  @IsString() name!: string;
}
class WithNote {
  @IsString() name!: string;
  @Allow() note?: unknown;
}

describe("request whitelisting", () => {
  it("strips unknown properties by default, at the top level and in nested objects", async () => {
    const req = await validateInto(UpdateUser, { name: "Ann", isAdmin: true, profile: { email: "a@b.co", role: "root" } });
    expect(req).toBeInstanceOf(UpdateUser);
    expect(JSON.parse(JSON.stringify(req))).toEqual({ name: "Ann", profile: { email: "a@b.co" } });
    const plain = await validateInto(Plain, { name: "x", isAdmin: true });
    expect(Object.keys(plain as object)).toEqual(["name"]);
  });

  it("keeps @Allow() properties unchecked, on the compiled path too", async () => {
    expect(compileCheck(WithNote)).toBeDefined();
    await expect(validateInto(WithNote, { name: "x", note: 5, extra: 1 })).resolves.toEqual({ name: "x", note: 5 });
    await expect(validateInto(WithNote, { name: "x", note: 5 }, { forbidNonWhitelisted: true })).resolves.toEqual({ name: "x", note: 5 });
  });

  it("with forbidNonWhitelisted answers 400 tsmicro.validation naming every unknown field, nested ones by path", async () => {
    const err = (await validateInto(UpdateUser, { name: "Ann", isAdmin: true, profile: { email: "a@b.co", role: "root" } }, { forbidNonWhitelisted: true }).catch(
      (e: unknown) => e,
    )) as MicroError;
    expect(MicroError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 400, id: "tsmicro.validation" });
    expect(err.detail).toContain("isAdmin: property isAdmin should not exist");
    expect(err.detail).toContain("profile.role: property role should not exist");
    await expect(validateInto(Plain, { name: "x", extra: 1 }, { forbidNonWhitelisted: true })).rejects.toMatchObject({
      detail: "invalid Plain: extra: property extra should not exist",
    });
    await expect(validateInto(Plain, { name: "x" }, { forbidNonWhitelisted: true })).resolves.toEqual({ name: "x" });
  });
});

describe("dispatch whitelisting", () => {
  const seen: unknown[] = [];
  const handler = (over: Partial<HandlerDescriptor> = {}): HandlerDescriptor => ({
    endpoint: "Users.Update",
    invoke: async (r) => (seen.push(r), "ok"),
    requestType: Plain,
    validate: true,
    metadata: {},
    ...over,
  });
  async function send(h: HandlerDescriptor, serverForbids?: boolean): Promise<MicroError | undefined> {
    const router = new Router();
    router.add(h);
    const deps = { service: "svc", router, codecs: new CodecSet([new JsonCodec()]), chain: validateAndInvoke(serverForbids ?? false), logger: new SilentLogger() };
    const reply = await dispatch(deps, {
      header: { "Micro-Id": "1", "Micro-Endpoint": "Users.Update", "Content-Type": "application/json" },
      body: Buffer.from('{"name":"x","isAdmin":true}'),
    });
    const e = reply.header["Micro-Error"];
    return e ? MicroError.parse(e) : undefined;
  }

  beforeEach(() => (seen.length = 0));

  it("hands the handler a request without the unknown property", async () => {
    expect(await send(handler())).toBeUndefined();
    expect(seen).toEqual([{ name: "x" }]);
    expect(Object.keys(seen[0] as object)).toEqual(["name"]);
  });

  it("answers 400 when the server forbids unknown properties, unless the handler allows them", async () => {
    expect(await send(handler(), true)).toMatchObject({ code: 400, id: "tsmicro.validation", detail: expect.stringContaining("isAdmin") });
    expect(seen).toEqual([]);
    expect(await send(handler({ forbidNonWhitelisted: false }), true)).toBeUndefined();
  });

  it("answers 400 when the handler forbids them", async () => {
    expect(await send(handler({ forbidNonWhitelisted: true }))).toMatchObject({ code: 400, detail: expect.stringContaining("isAdmin") });
  });
});
