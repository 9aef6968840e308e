/**
 * The deployment plan: everything derived from a validated config before any construct is
 * built. Pure code (no cdktf): the stacks, the synth report and `npm run report` all read it,
 * so nothing is derived twice.
 */
import type { RunnersConfig } from "./input/schema";
import { PLACEHOLDER_PROJECT_ID } from "./input/gcp";
import { PLACEHOLDER_CONFIG_URL } from "./input/github";
import { DEFAULT_SIZES } from "./input/runners";
import { RunnerPlan, planRunners, runnerLabelMap } from "./labels";
import { EngineNames, defaultTransport, engineIdentityWarnings, engineWarnings, nodeDiskTypes, planEngineNames } from "./engines";
import { EngineLayerPlan, planEngineLayer, planEngineTransports } from "./engine-layer";
import { ignoredKeyWarnings, runnerWarnings } from "./runner-warnings";
import { unshippedSchemaWarnings } from "./engine-config";
import type { EngineConnectionSpec } from "../engine-spec";
import { ClusterPlan, planCluster } from "./cluster";
import { PlanError } from "./errors";
import type { ResourceRequirements } from "./k8s-types";
import { PlacementPlan, planPlacement } from "./placement";
import { CapacityPlan, planCapacity } from "./capacity";
import { capacityInputFromConfig } from "./capacity-input";
import { ArtifactPlan, planArtifacts } from "./mirrors";
import { GpuEnginePlan, planGpuEngines } from "./gpu-engines";
import { MonitoringPlan, planMonitoring } from "./monitoring";
import { AlertsPlan, planAlerts } from "./alerts";
import { listenerTemplate } from "./arc-values";
import { SchedulePlan, planSchedules } from "./schedules";

export interface DeploymentPlan {
  readonly name: string;
  readonly target: RunnersConfig["target"];
  /** Stack names: `<name>-cluster` (target gke only) and `<name>-runners`. */
  readonly stacks: { readonly cluster?: string; readonly runners: string };
  readonly runners: RunnerPlan;
  /** Runner sizes with their resources (`""` = unsuffixed). */
  readonly sizes: Readonly<Record<string, ResourceRequirements>>;
  readonly engines: readonly EngineNames[];
  /** `runner_labels`: label -> engine version. */
  readonly runnerLabels: Readonly<Record<string, string>>;
  /**
   * Node pools, engines and runner concurrency (lib/planning/capacity.ts); undefined on target
   * `existing-cluster` without `kubernetes.nodes`.
   */
  readonly capacity?: CapacityPlan;
  /** The GKE cluster (target `gke` only): names, pools, accounts (lib/planning/cluster.ts). */
  readonly cluster?: ClusterPlan;
  /** nodeSelector/tolerations of engines, runners, the gpu size and ARC (lib/planning/placement.ts). */
  readonly placement: PlacementPlan;
  /**
   * Every scale set's listener pod template (chart `listenerTemplate`): ARC's placement, a
   * preference for nodes without runner pods, `runners.listenerTemplate` on top (lib/planning/arc-values.ts).
   */
  readonly listenerTemplate: Readonly<Record<string, unknown>>;
  /** The engine layer resolved: mode, transport, port, namespace, placement and cache (lib/planning/engine-layer.ts). */
  readonly engine: EngineLayerPlan;
  /** How runners reach each engine version: its connection spec, by version. */
  readonly transports: Readonly<Record<string, EngineConnectionSpec>>;
  /**
   * GPU engines on the gpu pool, one per version, and the scale sets using them
   * (lib/planning/gpu-engines.ts); undefined without a gpu pool or with `cluster.nodePools.gpu.engines: false`.
   */
  readonly gpuEngines?: GpuEnginePlan;
  /** Every image and chart, and where each is pulled from: upstream, mirror or pinned (lib/planning/mirrors.ts). */
  readonly artifacts: ArtifactPlan;
  /** Metrics served and scraped: endpoints, the collector and its targets (lib/planning/monitoring.ts). */
  readonly monitoring: MonitoringPlan;
  /** Warm runners on a schedule: windows per label and the CronJobs applying them (lib/planning/schedules.ts). */
  readonly schedules: SchedulePlan;
  /** Alert rules and the dashboard of those metrics (lib/planning/alerts.ts). */
  readonly alerts: AlertsPlan;
  /** Things to tell the user before deploying (placeholders, risky choices). */
  readonly warnings: readonly string[];
}

export function planDeployment(config: RunnersConfig): DeploymentPlan {
  const sizes: Readonly<Record<string, ResourceRequirements>> = config.runners.sizes ?? DEFAULT_SIZES;
  const runners = planRunners({
    versions: config.dagger.versions,
    sizes: Object.keys(sizes),
    strategy: config.arc.labelStrategy,
    minRunners: config.runners.minRunners,
    aliasMinRunners: config.runners.aliasMinRunners,
    maxRunners: config.runners.maxRunners,
    draining: config.dagger.draining,
    prefix: config.runners.labelPrefix,
  });
  const schedules = planSchedules(config.runners.schedules, { runners, updateStrategy: config.arc.updateStrategy });
  const engines = planEngineNames(config.name, runners.versions, config.dagger.engine.mode);
  const cluster = config.target === "gke" ? planCluster(config) : undefined;
  const placement = planPlacement(config, cluster);
  if (placement.gpu && !(placement.gpu.size in sizes)) {
    const names = Object.keys(sizes).map((k) => JSON.stringify(k)).join(", ");
    throw new PlanError("cluster.nodePools.gpu.runnerSize", placement.gpu.size, `is not one of runners.sizes (${names}): add that size so runners use the GPU pool`);
  }

  const warnings: string[] = [];
  if (config.target === "gke" && !placement.arcIsolated && !config.runners.listenerTemplate?.spec.nodeSelector) {
    warnings.push(
      "the ARC listener pods (each holds the GitHub credentials) share the runners pool with the jobs, kept off runner nodes by a scheduling preference only: remove cluster.nodePools.system: false (the default system pool gives the controller and listeners nodes of their own)",
    );
  }
  if (config.target === "gke" && config.gcp.projectId === PLACEHOLDER_PROJECT_ID) {
    warnings.push(`gcp.projectId is the placeholder "${PLACEHOLDER_PROJECT_ID}": set your project before deploying`);
  }
  if (config.github.configUrl === PLACEHOLDER_CONFIG_URL) {
    warnings.push(`github.configUrl is the placeholder "${PLACEHOLDER_CONFIG_URL}": set your organization or repository URL before deploying`);
  }

  const e = config.dagger.engine;
  // The transport, resolved once: the images (kubectl for kube-pod) and the engine layer use it.
  const transport = e.transport ?? defaultTransport(e.mode);
  const artifacts = planArtifacts(config, engines.map((x) => x.version), runners.scaleSets.length, transport, placement.gpuEngines !== undefined);
  const engine = planEngineLayer(config, engines, transport, placement);
  const gpuEngines = planGpuEngines(config, cluster, runners, engine, artifacts, placement);
  warnings.push(
    ...engineWarnings({
      mode: engine.mode,
      transport: engine.transport,
      port: e.port,
      cache: e.cache,
      vpa: e.vpa,
      nodeDiskTypes: cluster ? nodeDiskTypes(config.cluster.nodePools) : [],
      cloud: e.cloud.enabled,
      versions: engines.map((x) => x.version),
      networkPolicyUnknown: config.target === "existing-cluster",
    }),
  );

  warnings.push(...engineIdentityWarnings(e.chartValues));
  warnings.push(...runnerWarnings(config, [engine.transport]), ...ignoredKeyWarnings(config, engine.transport));
  const draining = runners.versions.filter((v) => config.dagger.draining.some((d) => d.replace(/^v/, "").trim() === v.text)).map((v) => v.text);
  if (draining.length > 0) {
    warnings.push(
      `dagger.draining: engine ${draining.join(", ")} takes no new jobs (its scale sets run at maxRunners 0 and let running jobs finish; the aliases point at the newest version that is not draining); remove it from dagger.versions once its jobs are done`,
    );
  }
  warnings.push(...unshippedSchemaWarnings(runners.versions.map((v) => v.text)));
  warnings.push(...artifacts.warnings);
  // GPU engines serve metrics like the others (same versions, same chart values).
  const monitoring = planMonitoring(config, [...engines, ...(gpuEngines?.engines ?? [])], engine.namespace, engine.port);
  warnings.push(...monitoring.warnings);
  // A gpu pool scaled to zero nodes has no GPU engine pod: not an outage.
  const gpuPool = cluster?.pools.find((p) => p.key === "gpu");
  const mayBeAbsent = gpuEngines && gpuPool?.minNodes === 0 ? gpuEngines.engines.map((g) => g.releaseName) : [];
  const alerts = planAlerts({ config, monitoring, engine, scaleSets: runners.scaleSets.length, clusterName: cluster?.name, mayBeAbsent });
  warnings.push(...alerts.warnings);

  warnings.push(...schedules.warnings);

  // Capacity: throws PlanError for configs that cannot fit; warnings join the others. Scale sets
  // count with their scheduled peak of idle runners, which must fit their pool at maxNodes.
  const warmSets = runners.scaleSets.map((s) => ({ ...s, minRunners: schedules.peakMinRunners[s.name] ?? s.minRunners }));
  const capacityInput = capacityInputFromConfig(config, sizes, warmSets, engines, cluster, gpuEngines?.engines);
  const capacity = capacityInput ? planCapacity(capacityInput) : undefined;
  if (capacity) warnings.push(...capacity.warnings);
  for (const p of capacity?.pools ?? []) {
    if (schedules.windows.length > 0 && p.warmRunners > p.warmCapacity) {
      throw new PlanError("runners.schedules", schedules.windows.map((w) => w.minRunners), `keep up to ${p.warmRunners} idle runners on node pool ${p.name}, which holds about ${p.warmCapacity} of them at ${p.path}.maxNodes ${p.maxNodes}: lower the schedules' minRunners or raise maxNodes`);
    }
  }

  return {
    name: config.name,
    target: config.target,
    stacks: {
      cluster: config.target === "gke" ? `${config.name}-cluster` : undefined,
      runners: `${config.name}-runners`,
    },
    runners,
    sizes,
    engines,
    runnerLabels: runnerLabelMap(runners),
    capacity,
    cluster,
    placement,
    listenerTemplate: listenerTemplate(placement.arc, config.runners.listenerTemplate),
    engine,
    transports: planEngineTransports(config, engines, engine, artifacts),
    gpuEngines,
    artifacts,
    monitoring,
    schedules,
    alerts,
    warnings: cluster ? [...warnings, ...cluster.warnings] : warnings,
  };
}
