import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { RunnersConfig } from "../planning/input/schema";
import type { EngineConnectionSpec } from "../engine-spec";
import { ServiceAccountV1 } from "../imports/kubernetes";
import { runnersPodSecurityLevel } from "../planning/arc-values";
import type { DeploymentPlan } from "../planning/deployment";
import type { ResourceRequirements, Toleration } from "../planning/k8s-types";
import { buildRunnerPodTemplate, engineSpecProblems } from "../planning/runner-pod";
import { ArcController } from "./arc-controller";
import { GithubCredentials } from "./github-credentials";
import { RunnerCleanup } from "./runner-cleanup";
import { RunnerDisruptionBudget } from "./runner-disruption-budget";
import type { RunnerNamespaces } from "./runner-namespaces";
import { RunnerScaleSet } from "./runner-scale-set";
import { DEFAULT_KUBECTL_PATH } from "../planning/defaults";

/** Props of {@link GithubRunners}. */
export interface GithubRunnersProps {
  /** `github` config section: URL, runner group, credentials. */
  readonly github: RunnersConfig["github"];
  /** `arc` config section: controller chart version and values. */
  readonly arc: RunnersConfig["arc"];
  /** `runners` config section: pool placement, patches, cleanup. */
  readonly runners: RunnersConfig["runners"];
  /**
   * The deployment plan: scale sets (`plan.runners.scaleSets`), sizes, and every image, chart
   * repository and pull Secret (`plan.artifacts`: upstream, mirrored or pinned).
   */
  readonly plan: DeploymentPlan;
  /** Controller and runners namespaces (created before the engines). */
  readonly namespaces: RunnerNamespaces;
  /** How runners reach each engine version (the engine layer's specs). */
  readonly engines: readonly EngineConnectionSpec[];
  /**
   * Annotations of the runner ServiceAccount, e.g. GKE Workload Identity's
   * `iam.gke.io/gcp-service-account`. @default none
   */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /**
   * The engine release of each version (`DaggerEngines.releases`): each scale set depends on its
   * engine's, so a destroy or a replacement removes the scale set (and its runners) before the
   * engine they use, and a new scale set starts after its engine. @default none
   */
  readonly engineReleases?: Readonly<Record<string, ITerraformDependable>>;
  /**
   * Where runner pods run (the planned runners pool with `runners.nodeSelector`/`tolerations` on
   * top, `DeploymentPlan.placement.runners`). @default runners.nodeSelector and runners.tolerations
   */
  readonly placement?: { readonly nodeSelector?: Readonly<Record<string, string>>; readonly tolerations?: readonly Toleration[] };
  /**
   * Per-size placement replacing `runners.nodeSelector`/`tolerations` for that size, with
   * extra resources merged into the size (e.g. the gpu size on the gpu pool, with its
   * `nvidia.com/gpu` limit). @default {}
   */
  readonly sizePlacement?: Readonly<Record<string, SizePlacement>>;
}

/** Where one runner size runs, and what it adds to the size's resources. */
export interface SizePlacement {
  /** nodeSelector of the size's runner pods (replaces `runners.nodeSelector`). */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Tolerations of the size's runner pods (replace `runners.tolerations`). */
  readonly tolerations: readonly Toleration[];
  /** Merged into the size's requests/limits (the size's own values win). @default none */
  readonly resources?: ResourceRequirements;
}

/**
 * The GitHub layer: credentials Secret, ARC controller, one runner scale set per planned set
 * (each running pods wired to its engine), runner ServiceAccounts for `kube-pod`, the runner
 * pods' PodDisruptionBudget and the failed-pod cleanup CronJob.
 */
export class GithubRunners extends Construct {
  readonly credentials: GithubCredentials;
  readonly controller: ArcController;
  readonly scaleSets: RunnerScaleSet[] = [];
  readonly cleanup?: RunnerCleanup;
  /** Refuses voluntary evictions of runner pods, so drained nodes let their jobs finish. */
  readonly disruptionBudget: RunnerDisruptionBudget;
  /** The ServiceAccount of every runner pod (`runners.serviceAccountName`). */
  readonly serviceAccount: ServiceAccountV1;
  /** `runner_labels`: every `runs-on` label of the real scale sets -> engine version. */
  readonly runnerLabels: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: GithubRunnersProps) {
    super(scope, id);
    const { github, arc, runners, plan, namespaces, engines } = props;
    const artifacts = plan.artifacts;
    const placement = props.placement ?? { nodeSelector: runners.nodeSelector, tolerations: runners.tolerations };
    const errors: string[] = [];
    const ns = namespaces.runnersNamespace;

    if (runners.namespace === arc.namespace) {
      errors.push(`runners.namespace: ${JSON.stringify(runners.namespace)} must differ from arc.namespace (listeners and runners are kept apart)`);
    }

    // Engines: one usable spec per planned version.
    const byVersion = new Map(engines.map((e) => [e.version, e]));
    for (const e of engines) {
      for (const p of engineSpecProblems(e)) errors.push(`dagger.versions: engine ${e.version} ${p}`);
    }
    for (const v of plan.runners.versions) {
      if (!byVersion.has(v.text)) errors.push(`dagger.versions: ${JSON.stringify(v.text)} has no engine connection spec (the engine layer did not provide one)`);
    }
    namespaces.requireRunnersLevel(runnersPodSecurityLevel(engines.map((e) => e.transport)));

    // Credentials. (This layer's warnings are in the plan: lib/planning/runner-warnings.ts.)
    this.credentials = new GithubCredentials(this, "credentials", {
      namespace: ns,
      app: github.app,
      pat: github.pat,
      existingSecretName: github.existingSecretName,
    });

    // Controller.
    this.controller = new ArcController(this, "controller", {
      namespace: namespaces.controllerNamespace,
      version: arc.version,
      replicas: arc.replicas,
      logLevel: arc.logLevel,
      logFormat: arc.logFormat,
      updateStrategy: arc.updateStrategy,
      metrics: arc.metrics,
      resources: arc.resources,
      nodeSelector: arc.nodeSelector,
      tolerations: arc.tolerations,
      // Set only when mirrored: otherwise the chart's default (or arc.controllerValues.image).
      image: artifacts.controllerImage.setInValues
        ? { repository: artifacts.controllerImage.repository, tag: artifacts.controllerImage.tag }
        : undefined,
      imagePullSecrets: artifacts.pullSecrets,
      chartRepository: artifacts.chartRepositories.arc,
      extraValues: arc.controllerValues,
    });

    // One ServiceAccount for every runner pod: kube-pod engines bind their exec Role to it, and
    // Workload Identity maps it to the jobs' Google service account. Pods mount its token only
    // for kube-pod (kubectl); Workload Identity works through the GKE metadata server.
    for (const e of engines) {
      if (e.transport === "kube-pod" && e.serviceAccountName !== runners.serviceAccountName) {
        errors.push(
          `runners.serviceAccountName: ${JSON.stringify(runners.serviceAccountName)} differs from the ServiceAccount "${e.serviceAccountName}" the kube-pod engine ${e.version} grants exec to (pass the same name to the engine layer)`,
        );
      }
    }
    this.serviceAccount = new ServiceAccountV1(this, "runner-sa", {
      metadata: {
        name: runners.serviceAccountName,
        namespace: ns,
        labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners" },
        annotations: props.serviceAccountAnnotations ? { ...props.serviceAccountAnnotations } : undefined,
      },
      automountServiceAccountToken: engines.some((e) => e.transport === "kube-pod"),
    });

    // Scale sets.
    const dependsOn: ITerraformDependable[] = [this.controller.release, this.serviceAccount];
    const multiLabel = plan.runners.strategy === "multi-label";
    const version = arc.scaleSetVersion ?? arc.version;
    for (const s of plan.runners.scaleSets) {
      const engine = byVersion.get(s.version);
      if (!engine || engineSpecProblems(engine).length > 0) continue;
      const sp = props.sizePlacement?.[s.size];
      const template = buildRunnerPodTemplate({
        engine,
        runnerImage: artifacts.runnerImage,
        resources: sp?.resources ? mergeResources(sp.resources, plan.sizes[s.size]) : plan.sizes[s.size],
        kubectl: { image: artifacts.kubectlImage, path: runners.kubectlPath ?? DEFAULT_KUBECTL_PATH },
        copyToolImage: artifacts.copyToolImage,
        imagePullSecrets: artifacts.pullSecrets,
        engineWaitSeconds: runners.engineWaitSeconds,
        nodeSelector: sp ? sp.nodeSelector : placement.nodeSelector,
        tolerations: sp ? sp.tolerations : placement.tolerations,
        serviceAccountName: runners.serviceAccountName,
        templatePatch: runners.templatePatch,
      });
      const set = new RunnerScaleSet(this, s.releaseName, {
        releaseName: s.releaseName,
        namespace: ns,
        version,
        configUrl: github.configUrl,
        secretName: this.credentials.secretName,
        name: s.name,
        extraLabels: s.extraLabels,
        multiLabel,
        runnerGroup: github.runnerGroup,
        minRunners: s.minRunners,
        maxRunners: s.maxRunners,
        controllerServiceAccount: this.controller.serviceAccount,
        template,
        listenerMetrics: plan.monitoring.listenerMetrics,
        controllerVersion: this.controller.version,
        chartRepository: artifacts.chartRepositories.arc,
        dependsOn: props.engineReleases?.[s.version] ? [...dependsOn, props.engineReleases[s.version]] : dependsOn,
      });
      this.scaleSets.push(set);
      for (const l of set.labels) this.runnerLabels[l] = s.version;
    }

    // Every planned label must be served by a real scale set (the report prints the plan).
    if (errors.length === 0) {
      for (const [label, v] of Object.entries(plan.runnerLabels)) {
        if (this.runnerLabels[label] !== v) errors.push(`dagger.versions: label "${label}" (engine ${v}) is served by no scale set`);
      }
    }

    // No voluntary eviction of a runner pod (node upgrades wait for running jobs, docs/cluster.md).
    this.disruptionBudget = new RunnerDisruptionBudget(this, "disruption-budget", {
      namespace: ns,
      maxRunnerPods: plan.runners.scaleSets.reduce((n, s) => n + s.maxRunners, 0),
    });

    // Failed-pod cleanup.
    if (runners.cleanup.enabled) {
      this.cleanup = new RunnerCleanup(this, "cleanup", {
        namespace: ns,
        schedule: runners.cleanup.schedule,
        image: artifacts.cleanupImage,
        kubectlPath: runners.kubectlPath,
        imagePullSecrets: artifacts.pullSecrets,
      });
    }

    this.node.addValidation({ validate: () => errors });
  }
}

/** `base` with `over`'s requests and limits on top. */
function mergeResources(base: ResourceRequirements, over: ResourceRequirements | undefined): ResourceRequirements {
  return {
    requests: { ...(base.requests ?? {}), ...(over?.requests ?? {}) },
    limits: { ...(base.limits ?? {}), ...(over?.limits ?? {}) },
  };
}
