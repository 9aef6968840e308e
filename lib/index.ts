/**
 * cdktf-dagger-runners: the public API for other cdktf projects.
 *
 *   import { RunnersStack, planRunners, parseConfig } from "cdktf-dagger-runners";
 */
// Pure planning (no cdktf)
export * from "./planning/errors";
export * from "./planning/versions";
export * from "./planning/names";
export * from "./planning/labels";
export * from "./planning/engines";
export * from "./planning/deployment";
export * from "./engine-spec";
// Config
export { configSchema } from "./config/schema";
export type { RunnersConfig, RunnersConfigInput } from "./config/schema";
export { ConfigError, loadConfig, parseConfig, parseConfigText, CONFIG_ENV } from "./config/load";
// Stacks and app
export * from "./stacks/cluster-stack";
export * from "./stacks/runners-stack";
export { buildStacks, synthDeployment, PLAN_FILE } from "./app";
export { renderReport, labelTable } from "./report";
// Constructs (appended by each layer)
