import type { ServiceIdentifier } from "inversify";
import type { Client } from "../client/client";
import { Module } from "../decorators/decorators";
import type { Constructor, ModuleMeta, Provider } from "../decorators/metadata-keys";
import { createService } from "../di/create-service";
import type { MicroService } from "../service/service";
import { resolveTestingModuleOptions, type TestingModuleOptions } from "./options";

/** A compiled testing module: a started service and a client bound to it. */
export interface TestingModule {
  /** The running service. */
  readonly service: MicroService;
  /** A client that reaches the service through its own registry and transport. */
  readonly client: Client;
  /** An instance from the module's container (a provider, a service class, a framework token). */
  get<T>(token: ServiceIdentifier<T>): T;
  /** Stops the service (deregister, drain, close, lifecycle hooks); idempotent. */
  close(): Promise<void>;
}

/** How to replace one provider, as in NestJS's `overrideProvider(token).useValue(…)`. */
export interface ProviderOverride {
  useValue(value: unknown): TestingModuleBuilder;
  useClass(cls: Constructor): TestingModuleBuilder;
  useFactory(options: { factory: (...deps: never[]) => unknown; inject?: readonly unknown[] }): TestingModuleBuilder;
}

/** Builds a testing module: override providers, then `compile()`. */
export class TestingModuleBuilder {
  private readonly overrides: Provider[] = [];
  private options: TestingModuleOptions = {};

  constructor(private readonly root: Constructor) {}

  /** Replaces the provider bound to `token` (a module's own, or a framework one such as `Registry`). */
  overrideProvider(token: unknown): ProviderOverride {
    const add = (p: Provider): TestingModuleBuilder => (this.overrides.push(p), this);
    return {
      useValue: (value) => add({ provide: token, useValue: value }),
      useClass: (cls) => add({ provide: token, useClass: cls }),
      useFactory: ({ factory, inject }) => add({ provide: token, useFactory: factory, inject }),
    };
  }

  /** Options for the service (settings, logger, wrappers…); testing defaults fill the rest. */
  withOptions(options: TestingModuleOptions): this {
    this.options = options;
    return this;
  }

  /** Builds and starts the service, resolving once it serves and is registered. */
  async compile(): Promise<TestingModule> {
    // The overrides live in a module that imports the root, so they win as an importing module's providers do.
    class TestingRoot {}
    Module({ imports: [this.root], providers: [...this.overrides] })(TestingRoot);
    const service = createService(TestingRoot, resolveTestingModuleOptions(this.options));
    try {
      await service.start();
    } catch (err) {
      await service.stop();
      throw err;
    }
    return {
      service,
      client: service.client,
      get: <T>(token: ServiceIdentifier<T>): T => service.container!.get(token),
      close: () => service.stop(),
    };
  }
}

/** Starts a testing module from a root module class or from module metadata. */
export function createTestingModule(root: Constructor | ModuleMeta): TestingModuleBuilder {
  if (typeof root === "function") return new TestingModuleBuilder(root);
  class TestModule {}
  Module(root)(TestModule);
  return new TestingModuleBuilder(TestModule);
}

/** NestJS's spelling: `Test.createTestingModule({ services, providers, imports })`. */
export const Test = { createTestingModule } as const;
