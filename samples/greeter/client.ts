import { createClient, MicroError } from "../../src";
import type { HelloResponse } from "./greeter";

// Calls greeter's Greeter.Hello once and prints the greeting. `node client.js Jane` greets Jane.
async function main(): Promise<number> {
  const name = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "John";
  const { client, close } = await createClient();
  try {
    const res = await client.call<HelloResponse>("greeter", "Greeter.Hello", { name });
    console.log(res.greeting);
    return 0;
  } catch (err) {
    console.error(MicroError.is(err) ? err.toString() : err);
    return 1;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
