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
export * from "./planning/mirrors";
export * from "./planning/deployment";
export { planCapacity, capacityInputFromConfig, mixCapacity, ENGINE_START_MINIMUM } from "./planning/capacity";
export type { CapacityInput, CapacityPlan, PoolCapacity, EngineCapacity, PoolInput, EngineInput, SizeInput } from "./planning/capacity";
export { MACHINE_TYPES, machineShape, gkeAllocatable, gkeReservedCpuMillis, gkeReservedMemoryMiB, GKE_SYSTEM_DAEMONSETS } from "./planning/machine-types";
export type { MachineShape } from "./planning/machine-types";
export * from "./engine-spec";
export * from "./cluster-access";
// Config
export { configSchema } from "./config/schema";
export type { RunnersConfig, RunnersConfigInput } from "./config/schema";
export { ConfigError, loadConfig, parseConfig, parseConfigText, CONFIG_ENV } from "./config/load";
// Stacks and app
export * from "./stacks/cluster-stack";
export * from "./stacks/runners-stack";
export * from "./stacks/runners-deployment";
export { buildStacks, synthDeployment, PLAN_FILE } from "./app";
export { renderReport, labelTable, poolTable, engineTable, artifactTable } from "./report";
// Constructs (appended by each layer)
export * from "./planning/runner-pod";
export * from "./planning/arc-values";
export * from "./constructs/runner-namespaces";
export * from "./constructs/github-credentials";
export * from "./constructs/arc-controller";
export * from "./constructs/runner-scale-set";
export * from "./constructs/runner-cleanup";
export * from "./constructs/github-runners";
export * from "./planning/engine-config";
export * from "./constructs/dagger-engines";
// Cloud layer (GKE cluster, placement)
export * from "./planning/network";
export * from "./planning/cluster";
export * from "./planning/placement";
export * from "./planning/workflow";
export * from "./constructs/gke-network";
export * from "./constructs/gke-identity";
export * from "./constructs/gke-cluster";
export * from "./constructs/gke-node-pools";
export { applyBackend } from "./stacks/backend";
