/**
 * The layers' typed props from a validated config and its plan: the one place where the config
 * file's shape meets the constructs (which take domain props only). Every default is already
 * resolved by the plan; this only maps it.
 */
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { RunnersConfig } from "../planning/input/schema";
import type { DeploymentPlan } from "../planning/deployment";
import type { EngineConnectionSpec } from "../engine-spec";
import type { ResourceRequirements } from "../planning/k8s-types";
import { DaggerEngines, DaggerEnginesProps } from "../constructs/dagger-engines";
import type { GithubRunnersProps } from "../constructs/github-runners";
import type { RunnerNamespaces } from "../constructs/runner-namespaces";

/** `DaggerEnginesProps` from a validated config and its plan. */
export function daggerEnginesPropsFromConfig(
  config: RunnersConfig,
  plan: DeploymentPlan,
  clientNamespace: string,
): DaggerEnginesProps {
  const e = config.dagger.engine;
  const layer = plan.engine; // every default resolved once, by the plan
  return {
    engines: plan.engines,
    mode: layer.mode,
    clientNamespace,
    clientServiceAccountName: config.runners.serviceAccountName,
    namePrefix: config.name,
    namespace: layer.namespace,
    transport: layer.transport,
    port: layer.port,
    cache: layer.cache,
    resources: e.resources,
    priorityClass: e.priorityClass,
    nodeSelector: layer.placement.nodeSelector,
    tolerations: layer.placement.tolerations,
    // From the plan: pinned or mirrored engine images (none by default: the chart's own), and
    // dagger.engine.imagePullSecrets plus mirrors.images.pullSecrets.
    image: Object.keys(plan.artifacts.engineImageOverrides).length > 0 ? plan.artifacts.engineImageOverrides : undefined,
    imagePullSecrets: plan.artifacts.enginePullSecrets,
    chartRepository: plan.artifacts.chartRepositories.dagger,
    engineConfig: e.config,
    vpa: e.vpa,
    cloud: e.cloud,
    metrics: plan.monitoring.engineMetrics,
    chartValues: e.chartValues,
    gpu: plan.gpuEngines
      ? {
          engines: plan.gpuEngines.engines,
          gpus: plan.gpuEngines.gpus,
          image: plan.gpuEngines.images,
          nodeSelector: plan.gpuEngines.placement.nodeSelector,
          tolerations: plan.gpuEngines.placement.tolerations,
        }
      : undefined,
    warnings: false,
  };
}

/** Builds the engine layer from config (its warnings are in `plan.warnings`). */
export function daggerEnginesFromConfig(
  scope: Construct,
  name: string,
  config: RunnersConfig,
  plan: DeploymentPlan,
  clientNamespace: string,
): DaggerEngines {
  return new DaggerEngines(scope, name, daggerEnginesPropsFromConfig(config, plan, clientNamespace));
}

/**
 * `GithubRunnersProps` of a validated config and its plan: every image, chart repository
 * and pull Secret from `plan.artifacts` (upstream, mirrored or pinned), and the scale sets with
 * the sizes and placement the plan resolved.
 */
export function githubRunnersPropsFromPlan(
  config: RunnersConfig,
  plan: DeploymentPlan,
  namespaces: RunnerNamespaces,
  engines: readonly EngineConnectionSpec[],
  engineReleases?: Readonly<Record<string, ITerraformDependable>>,
): GithubRunnersProps {
  const { github, arc, runners } = config;
  const artifacts = plan.artifacts;
  const placement = plan.placement.runners;
  // The gpu pool's size runs there and tolerates its taint; it uses the GPU engines, or, without
  // them, requests the pool's GPUs itself.
  const gpu = plan.placement.gpu;
  const gpuEngines = plan.gpuEngines;
  return {
    github: { configUrl: github.configUrl, runnerGroup: github.runnerGroup, app: github.app, pat: github.pat, existingSecretName: github.existingSecretName },
    controller: {
      version: arc.version,
      replicas: arc.replicas,
      logLevel: arc.logLevel,
      logFormat: arc.logFormat,
      updateStrategy: arc.updateStrategy,
      metrics: arc.metrics,
      resources: arc.resources,
      // The system pool when there is one, with arc.nodeSelector/tolerations on top.
      nodeSelector: plan.placement.arc.nodeSelector,
      tolerations: plan.placement.arc.tolerations,
      // Set only when mirrored: otherwise the chart's default (or arc.controllerValues.image).
      image: artifacts.controllerImage.setInValues ? { repository: artifacts.controllerImage.repository, tag: artifacts.controllerImage.tag } : undefined,
      imagePullSecrets: artifacts.pullSecrets,
      chartRepository: artifacts.chartRepositories.arc,
      extraValues: arc.controllerValues,
      // Two deployments on one cluster (docs/runners.md, "Two deployments side by side").
      watchSingleNamespace: arc.watchSingleNamespace ? runners.namespace : undefined,
      installCrds: arc.installCrds,
    },
    scaleSets: plan.runners.scaleSets.map((s) => {
      const onGpu = gpu !== undefined && gpu.size === s.size;
      const gpuEngine = gpuEngines?.scaleSets.includes(s.name) ? gpuEngines.transports[s.version] : undefined;
      return {
        name: s.name,
        releaseName: s.releaseName,
        version: s.version,
        ...(gpuEngine ? { engineRelease: gpuEngine.releaseName } : {}),
        extraLabels: s.extraLabels,
        labels: s.labels,
        resources: onGpu && gpu.resources ? mergeResources(gpu.resources, plan.sizes[s.size]) : plan.sizes[s.size],
        minRunners: s.minRunners,
        maxRunners: s.maxRunners,
        ...(onGpu ? { nodeSelector: gpu.nodeSelector, tolerations: gpu.tolerations } : {}),
      };
    }),
    labelStrategy: plan.runners.strategy,
    removalWaitSeconds: runners.removalWaitSeconds,
    scaleSetChartVersion: arc.scaleSetVersion,
    namespaces,
    engines,
    pod: {
      image: artifacts.runnerImage,
      serviceAccountName: runners.serviceAccountName,
      // Workload Identity for jobs: the runner ServiceAccount acts as the jobs' Google account.
      serviceAccountAnnotations: plan.cluster?.jobsServiceAccount ? { "iam.gke.io/gcp-service-account": plan.cluster.jobsServiceAccount.email } : undefined,
      nodeSelector: placement.nodeSelector,
      tolerations: placement.tolerations,
      kubectlImage: artifacts.kubectlImage,
      kubectlPath: runners.kubectlPath,
      copyToolImage: artifacts.copyToolImage,
      imagePullSecrets: artifacts.pullSecrets,
      engineWaitSeconds: runners.engineWaitSeconds,
      templatePatch: runners.templatePatch,
    },
    cleanup: { enabled: runners.cleanup.enabled, schedule: runners.cleanup.schedule, image: artifacts.cleanupImage },
    listenerMetrics: plan.monitoring.listenerMetrics,
    listenerTemplate: plan.listenerTemplate,
    schedules: plan.schedules.cronJobs,
    engineReleases,
  };
}

/** `base` with `over`'s requests and limits on top. */
function mergeResources(base: ResourceRequirements, over: ResourceRequirements | undefined): ResourceRequirements {
  return {
    requests: { ...(base.requests ?? {}), ...(over?.requests ?? {}) },
    limits: { ...(base.limits ?? {}), ...(over?.limits ?? {}) },
  };
}
