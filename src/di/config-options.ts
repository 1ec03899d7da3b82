import type { MicroSettings } from "../cmd/config";
import type { Logger } from "../logger/logger";

/** Where a service's or client's settings come from; shared by createService and createClient. */
export interface ConfigOptions {
  /** Settings given in code; env `MICRO_*` and flags override them. */
  settings?: Partial<MicroSettings>;
  /** Command-line arguments; default process.argv.slice(2). */
  argv?: readonly string[];
  /** Environment; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: pino on stderr at `MICRO_LOG_LEVEL`. */
  logger?: Logger;
}
