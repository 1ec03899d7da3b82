import js from "@eslint/js";
import tseslint from "typescript-eslint";

const NAMED_EXPORTS = { selector: "ExportDefaultDeclaration", message: "Use named exports." };

/**
 * Optional backends' client libraries. Only the backend's own folder may import its library (a
 * folder named after the backend in any family: src/registry/etcd/, src/broker/nats/, …); the
 * core reaches it through the provider table's dynamic `load`, so an app that never chooses the
 * backend never needs the library installed.
 */
const BACKENDS = {
  nats: { libraries: ["nats", "@nats-io/[^/]+"], folders: ["nats"] },
  etcd: { libraries: ["etcd3"], folders: ["etcd"] },
  consul: { libraries: ["consul"], folders: ["consul"] },
  rabbitmq: { libraries: ["amqplib"], folders: ["rabbitmq"] },
  redis: { libraries: ["ioredis"], folders: ["redis"] },
  grpc: { libraries: ["@grpc/grpc-js", "@grpc/proto-loader"], folders: ["grpc"] },
  opentelemetry: { libraries: ["@opentelemetry/sdk-[^/]+", "@opentelemetry/exporter-[^/]+", "@opentelemetry/resources", "@opentelemetry/core"], folders: ["opentelemetry", "otel"] },
};

/** `no-restricted-imports` and `no-restricted-syntax` (for `import()`/`require()`) forbidding every backend library except `allowed`'s. */
function backendBoundary(allowed) {
  const forbidden = Object.entries(BACKENDS).filter(([name]) => name !== allowed);
  const patterns = forbidden.map(([name, { libraries }]) => ({
    regex: `^(${libraries.join("|")})(/.*)?$`,
    message: `only src/*/${BACKENDS[name].folders[0]}/ may import this library; load the backend through its provider entry`,
  }));
  // esquery regexes cannot contain "/": "." stands in for it.
  const sources = forbidden.flatMap(([, { libraries }]) => libraries).map((l) => l.replaceAll("/", "."));
  const source = `/^(${sources.join("|")})(\\..*)?$/`;
  const message = "only the backend's own folder may load its library";
  return {
    "no-restricted-imports": ["error", { patterns }],
    "no-restricted-syntax": [
      "error",
      NAMED_EXPORTS,
      { selector: `ImportExpression[source.value=${source}]`, message },
      { selector: `CallExpression[callee.name="require"][arguments.0.value=${source}]`, message },
    ],
  };
}

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits or catches is a crash or a lost error waiting to happen.
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    files: ["scripts/**/*.mjs"],
    languageOptions: { globals: { URL: "readonly", console: "readonly", process: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", NAMED_EXPORTS],
    },
  },
  { files: ["src/**/*.ts"], rules: backendBoundary(undefined) },
  ...Object.entries(BACKENDS).map(([name, { folders }]) => ({
    files: folders.map((f) => `src/*/${f}/**/*.ts`),
    rules: backendBoundary(name),
  })),
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-extraneous-class": "off" },
  },
);
