import { join } from "node:path";
import { typecheck } from "../../helpers/typecheck";

// A client file as a user writes it: a type-only import of the service class, every
// line marked with a ts-expect-error directive is a mistake the compiler must catch (an unused one is itself an error).
const CLIENT = `
import { defineContract, type Client, type ServiceClient } from "tsmicro";
import type { Calculator, Sum } from "./calculator";

export async function use(client: Client): Promise<void> {
  const calc = client.service<Calculator>("calculator");
  const s: Sum = await calc.add({ a: 1, b: 2 });
  const negated: number = (await calc.negate({ n: 1 })).n;
  // @ts-expect-error a wrong method name
  await calc.subtract({ a: 1, b: 2 });
  // @ts-expect-error a wrong request field
  await calc.add({ a: 1, c: 2 });
  // @ts-expect-error a missing request field
  await calc.add({ a: 1 });
  // @ts-expect-error a request field of the wrong type
  await calc.add({ a: "1", b: 2 });
  // @ts-expect-error the response is typed: sum is a number
  const wrong: string = (await calc.add({ a: 1, b: 2 })).sum;
  // @ts-expect-error a unary call is a promise, not a stream
  for await (const x of calc.add({ a: 1, b: 2 })) void x;
  for await (const c of calc.count({ to: 3 })) {
    const i: number = c.i;
    void i;
  }
  // @ts-expect-error a server stream is an async iterable, not a promise of one message
  const one: { i: number } = await calc.count({ to: 3 });
  const total: Sum = await calc.total([{ n: 1 }, { n: 2 }]);
  // @ts-expect-error a client stream takes an iterable of messages
  await calc.total({ n: 1 });
  for await (const e of calc.echo([{ text: "a" }])) {
    const text: string = e.text;
    void text;
  }
  // @ts-expect-error a bidi stream's messages are typed
  calc.echo([{ txt: "a" }]);
  const ok: boolean = (await calc.ping()).ok;
  // @ts-expect-error a handler taking nothing is not a stream
  calc.ping([{}]);
  const withOptions: Sum = await calc.add({ a: 1, b: 2 }, { timeoutMs: 100, contentType: "application/json" });
  // @ts-expect-error a contract's method names are checked against the class
  defineContract<Calculator>("calculator", { nope: "X.Y" });
  const contract = defineContract<Calculator>("calculator", { add: "Calculator.Add" });
  const fromContract: ServiceClient<Calculator> = client.service(contract);
  void [s, ok, negated, wrong, one, total, withOptions, fromContract];
}
`;

describe("typed clients (type tests compiled by tsc)", () => {
  it("type a call from the handler's parameter and return types, and reject wrong methods, fields and uses", () => {
    const dir = join(__dirname, "..", "..", "fixtures", "typed");
    // Proof the check reports errors: the same wrong method without its directive, in the same program.
    const bad = `import type { Client } from "tsmicro";\nimport type { Calculator } from "./calculator";\nexport const f = (c: Client) => c.service<Calculator>("calculator").subtract({});\n`;
    const errors = typecheck(new Map([[join(dir, "client-usage.ts"), CLIENT], [join(dir, "client-bad.ts"), bad]]));
    expect(errors).toEqual([expect.stringMatching(/client-bad\.ts:3: Property 'subtract' does not exist/)]);
  });
});
