import { MemoryRegistry, serviceUnavailable, type RegisterOptions, type ServiceRecord } from "../../../src";
import { Registration } from "../../../src/server/registration";
import { RecordingLogger } from "../../helpers/recording-logger";

// Regression: a registry outage logged "re-registration failed" on every register interval.

class DownRegistry extends MemoryRegistry {
  down = false;
  calls = 0;
  override register(service: ServiceRecord, options?: RegisterOptions): Promise<void> {
    this.calls++;
    if (this.down) return Promise.reject(serviceUnavailable("etcd registry (127.0.0.1:1): register failed"));
    return super.register(service, options);
  }
}

const record: ServiceRecord = { name: "svc", version: "1", endpoints: [], nodes: [{ id: "a", address: "127.0.0.1:1", metadata: {} }] };

afterEach(() => jest.useRealTimers());

it("logs a registry outage once when renewals start failing and once when they succeed again", async () => {
  jest.useFakeTimers();
  const registry = new DownRegistry();
  const logger = new RecordingLogger();
  const registration = new Registration(registry, () => record, 3000, 1000, logger);
  await registration.start();
  registry.down = true;
  for (let i = 0; i < 5; i++) await jest.advanceTimersByTimeAsync(1000);
  registry.down = false;
  for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(1000);
  expect(registry.calls).toBe(9);
  const lines = logger.lines.filter((l) => l.level !== "debug").map((l) => `${l.level}: ${l.msg}`);
  expect(lines).toEqual(["warn: re-registration failed; retrying every register interval", "info: re-registration succeeded again"]);
  expect(logger.lines.filter((l) => l.level === "debug")).toHaveLength(4);
  await registration.stop();
  await registry.close();
});
