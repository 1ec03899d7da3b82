import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { killAll, runNode, startNode } from "../helpers/processes";

// How a service process fails to start, seen from the shell: one line on stderr, no stack, exit 1.

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Memory registry and broker: nothing is announced on the machine's shared mDNS port.
const isolated = { MICRO_REGISTRY: "memory", MICRO_BROKER: "memory" };
const unique = (): string => `greeter-errs-${randomBytes(4).toString("hex")}`;

afterAll(killAll);

describe("start-up failures of a service process", () => {
  // Regression: an unhandled rejection with a raw EADDRINUSE stack after a "server stopped" line.
  it("a second greeter on the same --server_address prints one clear line and exits 1", async () => {
    const port = await freePort();
    const name = unique();
    const args = [`--server_address=127.0.0.1:${port}`, `--server_name=${name}`];
    const first = startNode("samples/greeter/service.js", args, isolated);
    await first.waitFor(/greeter ready at 127\.0\.0\.1:\d+/);

    const second = await runNode("samples/greeter/service.js", args, isolated);
    expect(second).toEqual({ code: 1, stdout: "", stderr: `tsmicro: ${name}: failed to start: address 127.0.0.1:${port} is in use\n` });
  });

  // Regression: MICRO_LOG_LEVEL=loud crashed inside pino.
  it("MICRO_LOG_LEVEL=loud fails at start-up with the list of levels", async () => {
    const name = unique();
    const run = await runNode("samples/greeter/service.js", [`--server_name=${name}`], { ...isolated, MICRO_LOG_LEVEL: "loud" });
    expect(run.code).toBe(1);
    // The settings could not be read, so the line names the @Service name, not --server_name.
    expect(run.stderr).toBe(
      `tsmicro: greeter: failed to start: invalid value for MICRO_LOG_LEVEL: "loud" is not a log level; use one of trace, debug, info, warn, error, fatal, silent\n`,
    );
  });

  it("at MICRO_LOG_LEVEL=debug the stack follows the line", async () => {
    const port = await freePort();
    const name = unique();
    const args = [`--server_address=127.0.0.1:${port}`, `--server_name=${name}`];
    const first = startNode("samples/greeter/service.js", args, isolated);
    await first.waitFor(/greeter ready/);
    const second = await runNode("samples/greeter/service.js", args, { ...isolated, MICRO_LOG_LEVEL: "debug" });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`tsmicro: ${name}: failed to start: address 127.0.0.1:${port} is in use\nError: address`);
    expect(second.stderr).toMatch(/\n\s+at /);
  });
});
