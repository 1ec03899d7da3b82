export { Test, TestingModuleBuilder, createTestingModule, type ProviderOverride, type TestingModule } from "./testing-module";
export { DEFAULT_TESTING_SETTINGS, resolveTestingModuleOptions, type TestingModuleOptions } from "./options";
