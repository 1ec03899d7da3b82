import { randomUUID } from "node:crypto";
import { waitFor } from "../helpers/wait";
import { killAll, runNode, startNode, type Child } from "../helpers/processes";

// The samples/wrappers README's commands, against the built sample in two processes.
describe("samples/wrappers: guard, timing interceptor, per-method rate limit", () => {
  const name = `wallet-${randomUUID().slice(0, 8)}`;
  let service: Child;

  beforeAll(async () => {
    service = startNode("samples/wrappers/service.js", [`--server_name=${name}`], { MICRO_LOG_LEVEL: "info" });
    await service.waitFor(/wallet ready at/);
  }, 20_000);
  afterAll(() => killAll());

  it("prints what the README shows", async () => {
    const { code, stdout, stderr } = await runNode("samples/wrappers/client.js", [name]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.replace(/retry in \d+ms/, "retry in …ms")).toBe(
      [
        "no token:         401 Unauthorized: missing or unknown bearer token [wallet.unauthorized]",
        "invalid request:  400 Bad Request: invalid TopupRequest: amount: amount must be a positive number [tsmicro.validation]",
        'topup 1:          {"balance":10}',
        'topup 2:          {"balance":20}',
        "topup 3:          429 Too Many Requests: rate limit of 3 per 10s exceeded for Wallet.Topup; retry in …ms [tsmicro.rate_limited]",
        'balance:          {"balance":20}',
        "",
      ].join("\n"),
    );
    // Logs go to stderr. The timing interceptor is outermost: it times refused requests too (one line per request).
    const timings = (): number => service.stderr().split("\n").filter((l) => l.includes('"msg":"timing"')).length;
    await waitFor(() => timings() >= 6, 5000, "six timing lines in the service's log (stderr)");
    expect(timings()).toBe(6);
  }, 30_000);
});
