/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from "jest";

// swc compiles TypeScript with legacy decorators and design:paramtypes metadata, which the
// explorer and validation depend on.
const config: Config = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.spec.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
  },
  testTimeout: 30000,
};

export default config;
