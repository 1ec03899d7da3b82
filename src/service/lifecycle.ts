/** Called once every provider and service is instantiated, before the service starts serving. */
export interface OnModuleInit {
  onModuleInit(): void | Promise<void>;
}

/** Called after every `onModuleInit` has finished, before the broker connects and the server listens. */
export interface OnApplicationBootstrap {
  onApplicationBootstrap(): void | Promise<void>;
}

/** Called on shutdown before the service deregisters and drains; `signal` is the one that stopped it, if any. */
export interface BeforeApplicationShutdown {
  beforeApplicationShutdown(signal?: string): void | Promise<void>;
}

/** Called on shutdown after draining and after the transport, broker and registry are closed. */
export interface OnModuleDestroy {
  onModuleDestroy(): void | Promise<void>;
}

/** The lifecycle hook names, in the order a service calls them. */
export type LifecycleHook = "onModuleInit" | "onApplicationBootstrap" | "beforeApplicationShutdown" | "onModuleDestroy";

/**
 * Calls `hook` on every instance that has it, one at a time and awaited, in the given order
 * (start-up hooks) or reversed (shutdown hooks). `onError` decides whether a failure stops the
 * walk (rethrow) or is only reported.
 */
export async function callLifecycleHook(
  instances: readonly object[],
  hook: LifecycleHook,
  args: readonly unknown[] = [],
  onError: (err: unknown, instance: object) => void = (err) => {
    throw err;
  },
): Promise<void> {
  const ordered = hook === "beforeApplicationShutdown" || hook === "onModuleDestroy" ? [...instances].reverse() : instances;
  for (const instance of ordered) {
    const fn = (instance as Record<string, unknown>)[hook];
    if (typeof fn !== "function") continue;
    try {
      await (fn as (...a: unknown[]) => unknown).apply(instance, [...args]);
    } catch (err) {
      onError(err, instance);
    }
  }
}
