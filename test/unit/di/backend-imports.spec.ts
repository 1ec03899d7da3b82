import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

// The lint rule behind "core never imports an optional backend's library": each case lints one
// line of source as if it lived at `file`. ESLint loads its .mjs config with a dynamic import,
// which Jest's module sandbox refuses, so one child process lints every case.

const ROOT = resolve(__dirname, "..", "..", "..");
const LINT_CASES = `
import { ESLint } from "eslint";
import { resolve } from "node:path";
const cases = JSON.parse(process.argv[1]);
// The cases name files that do not exist, which the type-aware rules cannot see: those rules are
// checked once below, on a file the TypeScript project holds.
const untyped = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { "@typescript-eslint/no-floating-promises": "off", "@typescript-eslint/no-misused-promises": "off" },
  },
});
const out = [];
for (const [file, code] of cases) {
  const [result] = await untyped.lintText(code + "\\nexport const used = lib;\\n", { filePath: resolve(file) });
  out.push(result.messages.filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-syntax").map((m) => m.message));
}
const floating = "export async function f(): Promise<void> {}\\nf();\\nsetImmediate(async () => f());\\n";
const [typed] = await new ESLint({ cwd: process.cwd() }).lintText(floating, { filePath: resolve("src/internal/timers.ts") });
out.push(typed.messages.map((m) => m.ruleId));
process.stdout.write(JSON.stringify(out));
`;

const FORBIDDEN: Array<[string, string]> = [
  ["src/di/providers.ts", 'import { connect as lib } from "nats";'],
  ["src/registry/mdns/index.ts", 'import { Etcd3 as lib } from "etcd3";'],
  ["src/client/rpc-client.ts", 'import type { Redis as lib } from "ioredis";'],
  ["src/broker/nats/nats-broker.ts", 'import lib from "amqplib";'],
  ["src/index.ts", 'export { connect as lib } from "@nats-io/transport-node";'],
  ["src/transport/tcp/x.ts", 'const lib = import("@grpc/grpc-js");'],
  ["src/server/x.ts", 'const lib = require("consul");'],
  ["src/cli/x.ts", 'import { NodeSDK as lib } from "@opentelemetry/sdk-node";'],
];
const ALLOWED: Array<[string, string]> = [
  ["src/broker/nats/nats-broker.ts", 'import { connect as lib } from "nats";'],
  ["src/registry/nats/index.ts", 'const lib = import("nats");'],
  ["src/registry/etcd/etcd-registry.ts", 'import { Etcd3 as lib } from "etcd3";'],
  ["src/broker/redis/index.ts", 'import { Redis as lib } from "ioredis";'],
  ["src/transport/grpc/grpc-transport.ts", 'import * as lib from "@grpc/grpc-js";'],
  ["src/tracing/otel/sdk.ts", 'import { NodeSDK as lib } from "@opentelemetry/sdk-node";'],
  // Not backend libraries, only similar names.
  ["src/broker/index.ts", 'import { lib } from "./nats";'],
  ["src/di/x.ts", 'import { trace as lib } from "@opentelemetry/api";'],
];

let found: string[][] = [];
beforeAll(() => {
  const args = ["--input-type=module", "-e", LINT_CASES, JSON.stringify([...FORBIDDEN, ...ALLOWED])];
  found = JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" })) as string[][];
});

describe("optional backend libraries are imported only by their backend's folder", () => {
  it.each(FORBIDDEN.map((c, i) => [...c, i] as const))("%s may not: %s", (_file, _code, i) => {
    expect(found[i]).not.toEqual([]);
  });

  it.each(ALLOWED.map((c, i) => [...c, FORBIDDEN.length + i] as const))("%s may: %s", (_file, _code, i) => {
    expect(found[i]).toEqual([]);
  });
});

describe("type-aware lint", () => {
  it("reports a promise nobody handles and an async callback where a void one is expected", () => {
    expect(found[FORBIDDEN.length + ALLOWED.length]).toEqual(
      expect.arrayContaining(["@typescript-eslint/no-floating-promises", "@typescript-eslint/no-misused-promises"]),
    );
  });
});
