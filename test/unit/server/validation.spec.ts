import { IsEmail, IsString, Length, ValidateNested } from "class-validator";
import { Type } from "class-transformer";
import { MicroError, validateInto } from "../../../src";

class Inner {
  @IsEmail() email!: string;
}
class Req {
  @IsString() @Length(1, 5) name!: string;
  @ValidateNested() @Type(() => Inner) inner!: Inner;
}

describe("validateInto", () => {
  it("returns an instance of the class when valid", async () => {
    const v = await validateInto(Req, { name: "Ann", inner: { email: "a@b.co" } });
    expect(v).toBeInstanceOf(Req);
  });

  it("rejects with a 400 naming every failing field, nested ones by path", async () => {
    const err = (await validateInto(Req, { name: "", inner: { email: "nope" } }).catch((e: unknown) => e)) as MicroError;
    expect(MicroError.is(err)).toBe(true);
    expect(err.code).toBe(400);
    expect(err.id).toBe("tsmicro.validation");
    expect(err.detail).toContain("name:");
    expect(err.detail).toContain("inner.email:");
  });

  it("rejects non-object bodies", async () => {
    await expect(validateInto(Req, [1, 2])).rejects.toMatchObject({ code: 400 });
    await expect(validateInto(Req, "x")).rejects.toMatchObject({ code: 400 });
  });
});
