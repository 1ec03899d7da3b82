import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../../src";
import { typecheck } from "../../helpers/typecheck";

const HAZARDS = join(__dirname, "..", "..", "fixtures", "proto", "hazards.proto");

// Regression: `export interface Item { constructor?: string }` made every object literal unassignable (TS2322).
const USAGE = `
import { HazardsClient, type Inherited } from "./hazards.pb";
import type { Client } from "tsmicro";

export const empty: Inherited = {};
export const full: Inherited = { id: "x", constructor_: "c", toString_: "t", hasOwnProperty_: "h", valueOf_: "v", _Proto__: "p", isPrototypeOf_: 1, propertyIsEnumerable_: "e" };
export async function use(client: Client): Promise<string | undefined> {
  const res = await new HazardsClient(client, "hazards").echo({ id: "x" });
  // @ts-expect-error the renamed field is a string, not the inherited member
  const f: () => string = res.toString_;
  void f;
  return res.constructor_;
}
`;

describe("micro generate on fields named like Object.prototype members", () => {
  const [file] = generate([HAZARDS]);

  it("declares them with a trailing underscore", () => {
    for (const name of ["constructor_", "toString_", "hasOwnProperty_", "valueOf_", "isPrototypeOf_", "propertyIsEnumerable_"]) {
      expect(file!.content).toContain(`  ${name}?: `);
    }
    expect(file!.content).not.toMatch(/^ {2}constructor\?: /m);
  });

  it("emits interfaces that object literals are assignable to under strict", () => {
    const dir = join(tmpdir(), "tsmicro-generate-hazards");
    const files = new Map([[join(dir, file!.name), file!.content], [join(dir, "usage.ts"), USAGE]]);
    expect(typecheck(files)).toEqual([]);
  });
});
