import { MicroError, createClient, type CallOptions } from "../../src";

// Usage: node dist/samples/wrappers/client.js [service-name]   (default "wallet")
const service = process.argv[2] ?? "wallet";
const auth: CallOptions = { metadata: { Authorization: "Bearer s3cret" } };

function show(label: string, outcome: unknown): void {
  const text = MicroError.is(outcome) ? `${outcome.code} ${outcome.status}: ${outcome.detail} [${outcome.id}]` : JSON.stringify(outcome);
  console.log(`${label.padEnd(18)}${text}`);
}

async function main(): Promise<void> {
  const { client, close } = await createClient({ argv: [] });
  const call = (endpoint: string, body: unknown, options = auth): Promise<unknown> => client.call(service, endpoint, body, options).catch((e: unknown) => e);
  try {
    // No token and an invalid body: the guard answers before validation could say what is wrong.
    show("no token:", await call("Wallet.Topup", { amount: -1 }, { metadata: {} }));
    show("invalid request:", await call("Wallet.Topup", { account: "ann", amount: -1 }));
    for (let i = 1; i <= 3; i++) show(`topup ${i}:`, await call("Wallet.Topup", { account: "ann", amount: 10 }));
    show("balance:", await call("Wallet.Balance", { account: "ann" }));
  } finally {
    await close();
  }
}

void main();
