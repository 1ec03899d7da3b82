import { createClient } from "../../src";

// Publishes one user.created event per argument (default "u1") and exits.
async function main(): Promise<void> {
  const ids = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const { client, close } = await createClient();
  try {
    for (const id of ids.length > 0 ? ids : ["u1"]) {
      await client.publish("user.created", { id });
      console.log(`published user.created ${id}`);
    }
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
