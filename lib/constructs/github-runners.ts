import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { EngineConnectionSpec } from "../engine-spec";
import { ServiceAccountV1 } from "../imports/kubernetes";
import { runnersPodSecurityLevel } from "../planning/arc-values";
import type { ResourceRequirements, Toleration } from "../planning/k8s-types";
import type { LabelStrategy } from "../planning/labels";
import type { ListenerMetricsValues } from "../planning/monitoring";
import { buildRunnerPodTemplate, engineSpecProblems } from "../planning/runner-pod";
import { Problem, formatProblem, runnerServiceAccountRule, scaleSetVersionRules, watchNamespaceRule, watchedByValues } from "../planning/rules";
import { DEFAULT_CLIENT_SERVICE_ACCOUNT } from "../planning/engines";
import { DEFAULT_COPY_TOOL_IMAGE, DEFAULT_KUBECTL_IMAGE, DEFAULT_RUNNER_IMAGE } from "../planning/input/runners";
import { DEFAULT_KUBECTL_PATH } from "../planning/defaults";
import { ArcController, ArcControllerProps } from "./arc-controller";
import { GithubCredentials } from "./github-credentials";
import { RunnerCleanup } from "./runner-cleanup";
import { RunnerDisruptionBudget } from "./runner-disruption-budget";
import { RunnerSchedule } from "./runner-schedule";
import type { ScheduleCronJobPlan } from "../planning/schedules";
import type { RunnerNamespaces } from "./runner-namespaces";
import { RunnerScaleSet } from "./runner-scale-set";

/** Where the runners register with GitHub, and how they authenticate (the `github` config keys). */
export interface GithubRegistrationProps {
  /** Organization, enterprise or repository URL the scale sets register with (`githubConfigUrl`). */
  readonly configUrl: string;
  /** GitHub runner group of the scale sets. @default "default" */
  readonly runnerGroup?: string;
  /** GitHub App: id and installation id; the private key comes from a sensitive variable. @default none */
  readonly app?: { readonly id: string; readonly installationId: string };
  /** A personal access token from a sensitive variable. @default false */
  readonly pat?: boolean;
  /** An existing Secret in the runners namespace with the credentials. @default none */
  readonly existingSecretName?: string;
}

/** One runner scale set: its names, the engine version its runners use, its pod size and counts. */
export interface RunnerScaleSetSpec {
  /** `runnerScaleSetName`: the label GitHub registers (at most 45 characters). */
  readonly name: string;
  /** Helm release name (DNS-1123, at most 45 characters). */
  readonly releaseName: string;
  /** Engine version the runners use; one of `engines`. */
  readonly version: string;
  /**
   * Helm release of the engine the runners use, when `engines` has several of {@link version}
   * (a GPU engine beside the engine). @default the first engine of `version` in `engines`
   */
  readonly engineRelease?: string;
  /** Further labels GitHub registers for the set (`scaleSetLabels`, `multi-label` strategy). @default [] */
  readonly extraLabels?: readonly string[];
  /**
   * The `runs-on` labels the set serves (the `runner_labels` output), when not every registered
   * label is one (a multi-label set named `<exact label>-<hash of its aliases>`).
   * @default [name, ...extraLabels] (multi-label), [name] (per-label)
   */
  readonly labels?: readonly string[];
  /** Runner container requests/limits. @default none */
  readonly resources?: ResourceRequirements;
  /** Idle runners. @default 0 */
  readonly minRunners?: number;
  /** Most runners; 0 drains the set (running jobs finish). @default 10 */
  readonly maxRunners?: number;
  /** nodeSelector of this set's pods (replaces `pod.nodeSelector`, e.g. a GPU pool). @default pod.nodeSelector */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of this set's pods (replace `pod.tolerations`). @default pod.tolerations */
  readonly tolerations?: readonly Toleration[];
}

/** The runner pods of every scale set. */
export interface RunnerPodProps {
  /** Runner image (pinned). @default DEFAULT_RUNNER_IMAGE (ghcr.io/actions/actions-runner, pinned) */
  readonly image?: string;
  /** ServiceAccount of every runner pod, created in the runners namespace. @default "dagger-runner" */
  readonly serviceAccountName?: string;
  /** Annotations of that ServiceAccount, e.g. GKE Workload Identity's `iam.gke.io/gcp-service-account`. @default none */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** nodeSelector of runner pods (the runners pool). @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of runner pods. @default none */
  readonly tolerations?: readonly Toleration[];
  /** `kubectl` image (pinned) for `kube-pod` runners and the cleanup job. @default DEFAULT_KUBECTL_IMAGE */
  readonly kubectlImage?: string;
  /** Path of `kubectl` inside {@link kubectlImage}. @default "/bin/kubectl" */
  readonly kubectlPath?: string;
  /** Pinned image with a static BusyBox at `/bin/busybox` (copies `dagger` and `kubectl` out). @default DEFAULT_COPY_TOOL_IMAGE */
  readonly copyToolImage?: string;
  /** Pull Secrets in the runners namespace for every pod of this layer. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** `unix` transport: seconds a new runner waits for its node's engine socket. @default 300 */
  readonly engineWaitSeconds?: number;
  /** Extra PodSpec fields merged into every runner pod (named lists merge by `name`). @default none */
  readonly templatePatch?: Readonly<Record<string, unknown>>;
}

/** The failed-pod cleanup CronJob. */
export interface RunnerCleanupSettings {
  /** Run it. @default true */
  readonly enabled?: boolean;
  /** Cron schedule. @default every 15 minutes (DEFAULT_CLEANUP_SCHEDULE) */
  readonly schedule?: string;
  /** Pinned image with `kubectl` at `pod.kubectlPath`. @default pod.kubectlImage */
  readonly image?: string;
}

/** Props of {@link GithubRunners}. */
export interface GithubRunnersProps {
  /** Where and how the runners register with GitHub. */
  readonly github: GithubRegistrationProps;
  /** The ARC controller (its namespace comes from {@link namespaces}). */
  readonly controller: Omit<ArcControllerProps, "namespace">;
  /** The scale sets; each names the engine version its runners use. */
  readonly scaleSets: readonly RunnerScaleSetSpec[];
  /** `multi-label`: each set also registers its `extraLabels` (ARC >= 0.14). @default "per-label" */
  readonly labelStrategy?: LabelStrategy;
  /**
   * Seconds Terraform waits for Helm on each scale set, an uninstall lasting until ARC has let
   * every busy runner finish its job (`RunnerScaleSetProps.timeout`).
   * @default 21600 (DEFAULT_SCALE_SET_HELM_TIMEOUT)
   */
  readonly removalWaitSeconds?: number;
  /** Chart version of the scale sets, to roll a patch release out ahead of the controller. @default controller.version */
  readonly scaleSetChartVersion?: string;
  /** Controller and runners namespaces (created before the engines). */
  readonly namespaces: RunnerNamespaces;
  /**
   * How runners reach each engine (`DaggerEngines.specs`, then `DaggerEngines.gpuSpecs`): a scale
   * set uses the first of its version, or the one its `engineRelease` names.
   */
  readonly engines: readonly EngineConnectionSpec[];
  /** The runner pods. @default {} */
  readonly pod?: RunnerPodProps;
  /** The failed-pod cleanup CronJob. @default {enabled: true} */
  readonly cleanup?: RunnerCleanupSettings;
  /**
   * Warm runners on a schedule: CronJobs patching the scale sets' `minRunners`
   * (lib/planning/schedules.ts `planSchedules`, which resolves overlaps). @default none
   */
  readonly schedules?: readonly ScheduleCronJobPlan[];
  /** The listeners' metrics (`listenerMetrics`; served when the controller has metrics on). @default ARC's defaults */
  readonly listenerMetrics?: ListenerMetricsValues;
  /**
   * The listener pods' template for every scale set (the chart's `listenerTemplate`: e.g. a
   * nodeSelector, or a `listener` container entry with resources). @default ARC's listener pod
   */
  readonly listenerTemplate?: Readonly<Record<string, unknown>>;
  /**
   * The engine release of each version (`DaggerEngines.releases`), and of each release name a
   * scale set's `engineRelease` names (the GPU engines): each scale set depends on its engine's,
   * so a destroy or a replacement removes the scale set (and its runners) before the engine they
   * use, and a new scale set starts after its engine. @default none
   */
  readonly engineReleases?: Readonly<Record<string, ITerraformDependable>>;
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
  /** Warm runners on a schedule (`schedules`). */
  readonly schedule?: RunnerSchedule;
  /** The ServiceAccount of every runner pod (`pod.serviceAccountName`). */
  readonly serviceAccount: ServiceAccountV1;
  /** `runner_labels`: every `runs-on` label of the scale sets -> engine version. */
  readonly runnerLabels: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: GithubRunnersProps) {
    super(scope, id);
    const { github, namespaces, engines } = props;
    const pod = props.pod ?? {};
    const serviceAccountName = pod.serviceAccountName ?? DEFAULT_CLIENT_SERVICE_ACCOUNT;
    const kubectlImage = pod.kubectlImage ?? DEFAULT_KUBECTL_IMAGE;
    const ns = namespaces.runnersNamespace;

    // The config file's rules (lib/planning/rules.ts) and the engine specs, naming the props.
    // The first engine of each version (a GPU engine of the same version comes later).
    const byVersion = new Map<string, EngineConnectionSpec>();
    for (const e of engines) if (!byVersion.has(e.version)) byVersion.set(e.version, e);
    const engineOf = (s: RunnerScaleSetSpec) => (s.engineRelease === undefined ? byVersion.get(s.version) : engines.find((e) => e.releaseName === s.engineRelease && e.version === s.version));
    const problems: Problem[] = [
      ...engines.flatMap((e, i) => engineSpecProblems(e).map((message) => ({ path: ["engines", i], value: e.version, message: `(engine) ${message}` }))),
      // One line per missing version, at its first scale set.
      ...props.scaleSets.flatMap((s, i) =>
        byVersion.has(s.version) || props.scaleSets.findIndex((x) => x.version === s.version) !== i
          ? []
          : [{ path: ["scaleSets", i, "version"], value: s.version, message: `has no engine (engines: ${engines.map((e) => e.version).join(", ") || "none"})` }],
      ),
      ...props.scaleSets.flatMap((s, i) =>
        s.engineRelease === undefined || engineOf(s)
          ? []
          : [{ path: ["scaleSets", i, "engineRelease"], value: s.engineRelease, message: `is not an engine of version ${s.version} (engines: ${engines.map((e) => `${e.releaseName} (${e.version})`).join(", ") || "none"})` }],
      ),
      // A schedule patches AutoscalingRunnerSets by name: the chart names each `runnerScaleSetName`.
      ...(props.schedules ?? []).flatMap((job, i) =>
        job.scaleSets.flatMap((name, j) =>
          props.scaleSets.some((x) => x.name === name)
            ? []
            : [{ path: ["schedules", i, "scaleSets", j], value: name, message: `is not one of scaleSets (${props.scaleSets.map((x) => x.name).join(", ")})` }],
        ),
      ),
      ...runnerServiceAccountRule(serviceAccountName, engines, { serviceAccountName: ["pod", "serviceAccountName"] }),
      ...watchNamespaceRule(props.controller.watchSingleNamespace, namespaces.runnersNamespaceName, { watchSingleNamespace: ["controller", "watchSingleNamespace"] }),
      ...watchNamespaceRule(watchedByValues(props.controller.extraValues), namespaces.runnersNamespaceName, { watchSingleNamespace: ["controller", "extraValues", "flags", "watchSingleNamespace"] }),
      ...scaleSetVersionRules(props.controller.version, props.scaleSetChartVersion, props.labelStrategy ?? "per-label", {
        version: ["controller", "version"],
        scaleSetVersion: ["scaleSetChartVersion"],
        labelStrategy: ["labelStrategy"],
      }),
    ];
    this.node.addValidation({ validate: () => problems.map(formatProblem) });
    namespaces.requireRunnersLevel(runnersPodSecurityLevel(engines.map((e) => e.transport)));

    // Credentials. (The deployment's warnings about them are in the plan: lib/planning/runner-warnings.ts.)
    this.credentials = new GithubCredentials(this, "credentials", {
      namespace: ns,
      app: github.app,
      pat: github.pat,
      existingSecretName: github.existingSecretName,
    });

    this.controller = new ArcController(this, "controller", { ...props.controller, namespace: namespaces.controllerNamespace });

    // One ServiceAccount for every runner pod: kube-pod engines bind their exec Role to it, and
    // Workload Identity maps it to the jobs' Google service account. Pods mount its token only
    // for kube-pod (kubectl); Workload Identity works through the GKE metadata server.
    this.serviceAccount = new ServiceAccountV1(this, "runner-sa", {
      metadata: {
        name: serviceAccountName,
        namespace: ns,
        labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners" },
        annotations: pod.serviceAccountAnnotations ? { ...pod.serviceAccountAnnotations } : undefined,
      },
      automountServiceAccountToken: engines.some((e) => e.transport === "kube-pod"),
    });

    // Scale sets.
    const dependsOn: ITerraformDependable[] = [this.controller.release, this.serviceAccount];
    const multiLabel = props.labelStrategy === "multi-label";
    for (const s of props.scaleSets) {
      const engine = engineOf(s);
      if (!engine || engineSpecProblems(engine).length > 0) continue;
      const template = buildRunnerPodTemplate({
        engine,
        runnerImage: pod.image ?? DEFAULT_RUNNER_IMAGE,
        resources: s.resources,
        kubectl: { image: kubectlImage, path: pod.kubectlPath ?? DEFAULT_KUBECTL_PATH },
        copyToolImage: pod.copyToolImage ?? DEFAULT_COPY_TOOL_IMAGE,
        imagePullSecrets: pod.imagePullSecrets,
        engineWaitSeconds: pod.engineWaitSeconds,
        nodeSelector: s.nodeSelector ?? pod.nodeSelector,
        tolerations: s.tolerations ?? pod.tolerations,
        serviceAccountName,
        templatePatch: pod.templatePatch,
      });
      const engineRelease = props.engineReleases?.[s.engineRelease ?? s.version];
      const set = new RunnerScaleSet(this, s.releaseName, {
        releaseName: s.releaseName,
        namespace: ns,
        version: props.scaleSetChartVersion ?? props.controller.version,
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
        listenerMetrics: props.listenerMetrics,
        listenerTemplate: props.listenerTemplate,
        controllerVersion: this.controller.version,
        chartRepository: props.controller.chartRepository,
        dependsOn: engineRelease ? [...dependsOn, engineRelease] : dependsOn,
        timeout: props.removalWaitSeconds,
      });
      this.scaleSets.push(set);
      for (const l of s.labels ?? set.labels) this.runnerLabels[l] = s.version;
    }

    // No voluntary eviction of a runner pod (node upgrades wait for running jobs, docs/cluster.md).
    this.disruptionBudget = new RunnerDisruptionBudget(this, "disruption-budget", { namespace: ns });

    // Failed-pod cleanup.
    const cleanup = props.cleanup ?? {};
    if (cleanup.enabled ?? true) {
      this.cleanup = new RunnerCleanup(this, "cleanup", {
        namespace: ns,
        schedule: cleanup.schedule,
        image: cleanup.image ?? kubectlImage,
        kubectlPath: pod.kubectlPath,
        imagePullSecrets: pod.imagePullSecrets,
      });
    }

    // Warm runners on a schedule: CronJobs patching the scale sets' minRunners.
    if (props.schedules && props.schedules.length > 0) {
      this.schedule = new RunnerSchedule(this, "schedule", {
        namespace: ns,
        cronJobs: props.schedules,
        image: kubectlImage,
        kubectlPath: pod.kubectlPath,
        imagePullSecrets: pod.imagePullSecrets,
        dependsOn: this.scaleSets.map((s) => s.release),
      });
    }
  }
}
