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
};
