const os = require("node:os");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // jest 29: jest 30 depends on platform packages (unrs-resolver bindings) the registry here lacks.
  // swc strips types without type-checking: fast. `npm run typecheck` (part of `npm test`) checks types.
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 60000,
  setupFilesAfterEnv: ["<rootDir>/test/setup-stack-traces.ts"],
  // jest's default is one worker per core minus one: on a 2-core machine a single in-band
  // process, leaving a core idle while tests wait on child processes (helm, the app).
  maxWorkers: Math.max(2, (os.availableParallelism?.() ?? os.cpus().length) - 1),
};
