/**
 * cdktf-dagger-runners: the public API for other cdktf projects. An explicit list: everything
 * else in `lib/` is internal and may change.
 *
 *   import { RunnersDeployment, EndpointCluster } from "cdktf-dagger-runners";
 */

// The whole deployment, and the stacks it is made of
export { RunnersDeployment } from "./stacks/runners-deployment";
export type { RunnersDeploymentProps } from "./stacks/runners-deployment";
export { ClusterStack } from "./stacks/cluster-stack";
export type { ClusterStackProps } from "./stacks/cluster-stack";
export { RunnersStack } from "./stacks/runners-stack";
export type { RunnersStackProps } from "./stacks/runners-stack";
export { buildStacks, synthDeployment, PLAN_FILE } from "./app";
export type { DeploymentStacks } from "./app";

// Any cluster the runners deploy onto
export { EndpointCluster, KubeconfigCluster } from "./cluster-access";
export type { IRunnersCluster, ClusterBinding, ClusterOutput, KubernetesAccess, ExecCredential, EndpointClusterProps, KubeconfigClusterProps } from "./cluster-access";

// Constructs, layer by layer
export { DaggerEngines, DAGGER_CLOUD_TOKEN_VARIABLE } from "./constructs/dagger-engines";
export type { DaggerEnginesProps, EngineCacheProps, EngineCloudProps, EnginePriorityClassProps, EngineVpaProps, GpuEnginesProps } from "./constructs/dagger-engines";
export type { EngineConnectionSpec, EngineTransport } from "./engine-spec";
export { RunnerNamespaces } from "./constructs/runner-namespaces";
export type { RunnerNamespacesProps } from "./constructs/runner-namespaces";
export { GithubCredentials } from "./constructs/github-credentials";
export type { GithubCredentialsProps } from "./constructs/github-credentials";
export { ArcController } from "./constructs/arc-controller";
export type { ArcControllerProps } from "./constructs/arc-controller";
export { RunnerScaleSet } from "./constructs/runner-scale-set";
export type { RunnerScaleSetProps } from "./constructs/runner-scale-set";
export { RunnerCleanup } from "./constructs/runner-cleanup";
export type { RunnerCleanupProps } from "./constructs/runner-cleanup";
export { ArcCrds } from "./constructs/arc-crds";
export type { ArcCrdsProps } from "./constructs/arc-crds";
export { RunnerDisruptionBudget } from "./constructs/runner-disruption-budget";
export type { RunnerDisruptionBudgetProps } from "./constructs/runner-disruption-budget";
export { GithubRunners } from "./constructs/github-runners";
export type { GithubRunnersProps, GithubRegistrationProps, RunnerScaleSetSpec, RunnerPodProps, RunnerCleanupSettings } from "./constructs/github-runners";
export { GITHUB_APP_PRIVATE_KEY_VARIABLE, GITHUB_TOKEN_VARIABLE } from "./constructs/github-credentials";
export { GkeNetwork } from "./constructs/gke-network";
export type { GkeNetworkProps } from "./constructs/gke-network";
export { GkeSharedVpcGrants } from "./constructs/gke-shared-vpc-grants";
export type { GkeSharedVpcGrantsProps } from "./constructs/gke-shared-vpc-grants";
export { GkeIdentity } from "./constructs/gke-identity";
export type { GkeIdentityProps } from "./constructs/gke-identity";
export { GkeCluster } from "./constructs/gke-cluster";
export type { GkeClusterProps } from "./constructs/gke-cluster";
export { GkeNodePools } from "./constructs/gke-node-pools";
export type { GkeNodePoolsProps } from "./constructs/gke-node-pools";
export { GithubOidc } from "./constructs/github-oidc";
export type { GithubOidcProps } from "./constructs/github-oidc";

// The config file (the serialization of RunnersDeploymentProps)
export { configSchema } from "./planning/input/schema";
export type { RunnersConfig, RunnersConfigInput } from "./planning/input/schema";
export { ConfigError, loadConfig, parseConfig, parseConfigText, CONFIG_ENV } from "./config/load";

// Planning: pure functions, no cdktf
export { PlanError } from "./planning/errors";
export { parseVersion, parseVersionList, compareVersions } from "./planning/versions";
export type { EngineVersion } from "./planning/versions";
export { planRunners } from "./planning/labels";
export type { LabelStrategy, LabelKind, LabelPlan, RunnerPlan, ScaleSetPlan, PlanInput } from "./planning/labels";
export { planDeployment } from "./planning/deployment";
export type { DeploymentPlan } from "./planning/deployment";
export { planCapacity } from "./planning/capacity";
export type { CapacityInput, CapacityPlan, PoolCapacity, EngineCapacity, PoolInput, EngineInput, SizeInput } from "./planning/capacity";
export { MACHINE_TYPES, machineShape } from "./planning/machine-types";
export type { MachineShape } from "./planning/machine-types";
export { planArtifacts, mirrorImage } from "./planning/mirrors";
export type { ArtifactPlan, ImageArtifact, ChartArtifact } from "./planning/mirrors";
export { DAGGER_CHART, DAGGER_CHART_REPOSITORY, gpuEngineImage, planEngineNames } from "./planning/engines";
export type { GpuEnginePlan } from "./planning/gpu-engines";
export { ARC_CHART_REPOSITORY, ARC_CONTROLLER_CHART, ARC_SCALE_SET_CHART } from "./planning/arc-values";

// The report printed by `npm run synth` / `npm run report`
export { renderReport, reportJson } from "./report";
// The picture of the deployment (`npm run report -- --format mermaid|svg`, cdktf.out/deployment.svg)
export { planPicture } from "./picture/graph";
export type { DeploymentPicture, PictureNode, PictureEdge, PictureColumn } from "./picture/graph";
export { renderMermaid } from "./picture/mermaid";
export { renderSvg } from "./picture/svg";
