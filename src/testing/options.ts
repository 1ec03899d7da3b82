import type { MicroSettings } from "../cmd/config";
import type { CreateServiceOptions } from "../di/create-service";
import { SilentLogger } from "../logger/silent";

/** Options of a testing module: those of `createService`, with test-friendly defaults. */
export type TestingModuleOptions = CreateServiceOptions;

/**
 * What a testing module runs on unless told otherwise: everything in this process (memory
 * registry and broker), tcp on a random loopback port, no flags or `MICRO_*` variables read,
 * and a silent logger.
 */
export const DEFAULT_TESTING_SETTINGS: Partial<MicroSettings> = {
  registry: "memory",
  broker: "memory",
  transport: "tcp",
  serverAddress: "127.0.0.1:0",
};

/** Fills in the testing defaults; given settings are merged over the default settings. */
export function resolveTestingModuleOptions(options: TestingModuleOptions = {}): TestingModuleOptions {
  return {
    ...options,
    settings: { ...DEFAULT_TESTING_SETTINGS, ...options.settings },
    argv: options.argv ?? [],
    env: options.env ?? {},
    logger: options.logger ?? new SilentLogger(),
  };
}
