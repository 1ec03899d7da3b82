import { Type } from "class-transformer";
import { IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested, validateSync, IsEmail } from "class-validator";
import { compileCheck, validateFast } from "../../../src/server/validation";
import { compileInstantiate } from "../../../src/server/validation/instantiate";
import { validateInto } from "../../../src";
import { seeded } from "../../helpers/random";

class Simple {
  @IsString() @Length(1, 8) name!: string;
  @IsInt() @Min(0) @Max(120) age!: number;
  @IsOptional() @IsEmail() email?: string;
}
class Child {
  @IsString() id!: string;
}
class Nested {
  @ValidateNested() @Type(() => Child) child!: Child;
}
class Each {
  @IsString({ each: true }) tags!: string[];
}
class Grouped {
  @IsString({ groups: ["admin"] }) role!: string;
}

describe("compiled validation", () => {
  it("agrees with class-validator on 2000 random inputs", () => {
    const check = compileCheck(Simple)!;
    expect(check).toBeDefined();
    const r = seeded(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
    for (let i = 0; i < 2000; i++) {
      const body: Record<string, unknown> = {
        name: pick(["", "a", "abcdefgh", "abcdefghi", 5, null, undefined]),
        age: pick([0, 1, 120, 121, -1, 3.5, "3", undefined]),
        email: pick([undefined, null, "a@b.co", "nope", 7]),
      };
      const inst = Object.assign(new Simple(), body);
      const expected = validateSync(inst, { forbidUnknownValues: false }).length === 0;
      expect({ body, ok: check(inst as unknown as Record<string, unknown>) }).toEqual({ body, ok: expected });
    }
  });

  it("whitelists like class-validator on 2000 random inputs with unknown properties, stripping or forbidding them", () => {
    const r = seeded(11);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
    for (let i = 0; i < 2000; i++) {
      const body: Record<string, unknown> = {};
      for (const key of ["name", "age", "email", "isAdmin", "role"]) {
        if (r() < 0.6) body[key] = pick(["", "a", "abcdefgh", 5, 121, null, "a@b.co", true]);
      }
      for (const forbidNonWhitelisted of [false, true]) {
        const expected = Object.assign(new Simple(), body);
        const errors = validateSync(expected, { forbidUnknownValues: false, whitelist: true, forbidNonWhitelisted });
        const fast = validateFast(Simple, body, forbidNonWhitelisted);
        // A promise means the compiled check said "not valid" and handed over to class-validator.
        if (fast instanceof Promise) fast.catch(() => undefined);
        const actual = fast instanceof Promise ? "invalid" : { ...(fast as object) };
        expect({ body, forbidNonWhitelisted, actual }).toEqual({
          body,
          forbidNonWhitelisted,
          actual: errors.length === 0 ? { ...expected } : "invalid",
        });
      }
    }
  });

  it("never lets a body's own `constructor` switch class-validator off (it then checked nothing)", async () => {
    const hostile = JSON.parse('{"constructor":1,"name":"","age":500,"isAdmin":true}') as unknown;
    for (const forbidNonWhitelisted of [false, true]) {
      await expect(validateInto(Simple, hostile, { forbidNonWhitelisted })).rejects.toMatchObject({ code: 400, detail: expect.stringContaining("age:") });
      await expect(validateInto(Each, { constructor: 1, tags: [1] }, { forbidNonWhitelisted })).rejects.toMatchObject({ code: 400 });
    }
  });

  it("declines classes it does not model, so class-validator handles them", () => {
    expect(compileCheck(Nested)).toBeUndefined();
    expect(compileCheck(Each)).toBeUndefined();
    expect(compileCheck(Grouped)).toBeUndefined();
  });

  it("copies plain bodies without class-transformer, and uses it when the class has its decorators", () => {
    const simple = compileInstantiate(Simple).all(JSON.parse('{"name":"x","__proto__":{"polluted":true}}') as Record<string, unknown>);
    expect(simple).toBeInstanceOf(Simple);
    expect((simple as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    const nested = compileInstantiate(Nested).all({ child: { id: "c" } }) as unknown as Nested;
    expect(nested.child).toBeInstanceOf(Child);
  });

  it("still reports class-validator's messages, nested ones included", async () => {
    await expect(validateInto(Simple, { name: "", age: 200 })).rejects.toMatchObject({
      code: 400,
      detail: expect.stringMatching(/name: name must be longer than or equal to 1 characters; age: age must not be greater than 120/),
    });
    await expect(validateInto(Nested, { child: { id: 3 } })).rejects.toMatchObject({ detail: expect.stringContaining("child.id: id must be a string") });
    await expect(validateInto(Simple, { name: "ok", age: 3, email: "a@b.co" })).resolves.toBeInstanceOf(Simple);
  });
});
