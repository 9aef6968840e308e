/**
 * Typed Helm values of the two ARC charts and the PodSecurity levels of their namespaces.
 * Pure code (no cdktf). Chart keys are those of actions/actions-runner-controller 0.14.x
 * (`charts/gha-runner-scale-set-controller/values.yaml`, `charts/gha-runner-scale-set/values.yaml`
 * as published in gha-runner-scale-set-0.14.1, `templates/_helpers.tpl`):
 * - controller: `replicaCount` (leader election above 1), `flags.logLevel`, `flags.logFormat`,
 *   `flags.updateStrategy` (`--update-strategy`, 0.13.1-0.14.2 `templates/deployment.yaml`),
 *   `metrics.{controllerManagerAddr,listenerAddr,listenerEndpoint}` (absent: empty flags, off),
 *   `serviceAccount.{create,name}` (`default` fails the chart), `image.{repository,tag}` (tag
 *   default: the chart's appVersion; the listeners run the same image, see lib/planning/mirrors.ts),
 *   `imagePullSecrets` (controller and listener pods), `resources`, `nodeSelector`, `tolerations`;
 * - scale set: `githubConfigUrl`, `githubConfigSecret` (a string: the name of a pre-created Secret
 *   in the release namespace, `gha-runner-scale-set.githubsecret`), `runnerScaleSetName` (at most
 *   45 characters, else the chart fails), `scaleSetLabels` (0.14.0+, actions-runner-controller
 *   PR 4408, rendered to `spec.runnerScaleSetLabels`), `minRunners`, `maxRunners`, `runnerGroup`,
 *   `controllerServiceAccount.{name,namespace}`, `template`.
 */
import type { EngineTransport } from "../engine-spec";
import type { ResourceRequirements, Toleration } from "./k8s-types";
import type { PodTemplate } from "./runner-pod";
import { mergePatch } from "./runner-pod";
import { ARC_METRICS_PORT, METRICS_PATH, type ListenerMetricsValues } from "./monitoring";

/** OCI repository of both ARC charts. */
export const ARC_CHART_REPOSITORY = "oci://ghcr.io/actions/actions-runner-controller-charts";
export const ARC_CONTROLLER_CHART = "gha-runner-scale-set-controller";
export const ARC_SCALE_SET_CHART = "gha-runner-scale-set";
/** Helm release name of the controller. */
export const ARC_CONTROLLER_RELEASE = "arc";
export { ARC_CRDS_CHART, ARC_CRDS_RELEASE, ARC_CRD_VERSIONS } from "./arc-crds";

/**
 * Annotation on every AutoscalingRunnerSet carrying the controller's version. The chart hashes
 * all its values into `actions.github.com/values-hash`, and the controller deletes a listener
 * whose hash differs (`autoscalingrunnerset_controller.go` at gha-runner-scale-set-0.14.2:
 * "RunnerScaleSetListener is out of date"); it then creates it with its own image
 * (`CONTROLLER_MANAGER_CONTAINER_IMAGE`). Without a changed value, a new controller keeps the old
 * listener pods and their old image (actions-runner-controller issue 4572).
 */
export const ARC_VERSION_ANNOTATION = "cdktf-dagger-runners/arc-version";
/**
 * The controller's ServiceAccount, named explicitly so scale sets need no cluster lookup. It equals
 * the 0.14 chart's default for release {@link ARC_CONTROLLER_RELEASE} (`_helpers.tpl`
 * `gha-runner-scale-set-controller.serviceAccountName`: the fullname `<release>-gha-rs-controller`).
 */
export const ARC_CONTROLLER_SERVICE_ACCOUNT = "arc-gha-rs-controller";

/** Subset of the controller chart's values this package sets. */
export interface ControllerValues {
  /** Leader election turns on above 1. */
  replicaCount: number;
  flags: { logLevel: string; logFormat: string; updateStrategy: string; [k: string]: unknown };
  /** Present: metrics on (absent: the chart passes empty addresses, i.e. off). */
  metrics?: { controllerManagerAddr: string; listenerAddr: string; listenerEndpoint: string };
  serviceAccount: { create: boolean; name: string; [k: string]: unknown };
  /** The controller image; the controller runs it as every listener too. Absent: the chart's default. */
  image?: { repository: string; tag: string; [k: string]: unknown };
  /** Pull Secrets of the controller pod and, as `--auto-scaler-image-pull-secrets`, of every listener pod. */
  imagePullSecrets?: readonly { name: string }[];
  resources?: ResourceRequirements;
  nodeSelector?: Record<string, string>;
  tolerations?: readonly Toleration[];
  [k: string]: unknown;
}

export interface ControllerInput {
  readonly replicas: number;
  readonly logLevel: string;
  readonly logFormat: string;
  readonly metrics: boolean;
  readonly resources?: ResourceRequirements;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: readonly Toleration[];
  /** Controller (and listener) image. @default the chart's `ghcr.io/actions/gha-runner-scale-set-controller:<appVersion>` */
  readonly image?: { readonly repository: string; readonly tag: string };
  /** `flags.updateStrategy`: `eventual` or `immediate`. */
  readonly updateStrategy: string;
  /** Pull Secrets (controller namespace) of the controller and listener pods. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /**
   * `flags.watchSingleNamespace`: the one namespace whose scale sets the controller reconciles
   * (the runners namespace). The 0.14.2 controller chart then renders Roles and RoleBindings in
   * that namespace and its own instead of its ClusterRole and ClusterRoleBinding named
   * `<fullname>` (`templates/manager_single_namespace_*.yaml`, `manager_cluster_role*.yaml`), and
   * passes `--watch-single-namespace`, which limits the controller's cache to that namespace and
   * its own (`main.go` at gha-runner-scale-set-0.14.2: `defaultNamespaces[watchSingleNamespace]`,
   * `defaultNamespaces[managerNamespace]`). @default undefined (every namespace)
   */
  readonly watchSingleNamespace?: string;
  /** `arc.controllerValues`, merged over the typed values. */
  readonly extra?: Record<string, unknown>;
}

/** The controller's values: typed keys, then `arc.controllerValues` merged over them. */
export function controllerValues(i: ControllerInput): ControllerValues {
  const typed: ControllerValues = {
    replicaCount: i.replicas,
    flags: { logLevel: i.logLevel, logFormat: i.logFormat, updateStrategy: i.updateStrategy, ...(i.watchSingleNamespace ? { watchSingleNamespace: i.watchSingleNamespace } : {}) },
    serviceAccount: { create: true, name: ARC_CONTROLLER_SERVICE_ACCOUNT },
  };
  if (i.metrics) typed.metrics = { controllerManagerAddr: `:${ARC_METRICS_PORT}`, listenerAddr: `:${ARC_METRICS_PORT}`, listenerEndpoint: METRICS_PATH };
  if (i.image) typed.image = { repository: i.image.repository, tag: i.image.tag };
  if (i.imagePullSecrets && i.imagePullSecrets.length > 0) typed.imagePullSecrets = i.imagePullSecrets.map((name) => ({ name }));
  if (i.resources) typed.resources = i.resources;
  if (i.nodeSelector && Object.keys(i.nodeSelector).length > 0) typed.nodeSelector = i.nodeSelector;
  if (i.tolerations && i.tolerations.length > 0) typed.tolerations = i.tolerations;
  return (i.extra ? mergePatch(typed, i.extra) : typed) as ControllerValues;
}

/** Subset of the scale-set chart's values this package sets. */
export interface ScaleSetValues {
  githubConfigUrl: string;
  /** The NAME of a Secret in the scale set's namespace: never the credentials themselves. */
  githubConfigSecret: string;
  runnerScaleSetName: string;
  /** ARC >= 0.14 only; registered when the scale set is created, never updated. */
  scaleSetLabels?: readonly string[];
  runnerGroup: string;
  minRunners: number;
  maxRunners: number;
  controllerServiceAccount: { name: string; namespace: string };
  template: PodTemplate;
  /** The listener's metrics and their labels (`spec.listenerMetrics`); absent: ARC's defaults. */
  listenerMetrics?: ListenerMetricsValues;
  /**
   * The listener pod's template (chart `listenerTemplate`, rendered into the
   * AutoscalingRunnerSet's `spec.listenerTemplate`: gha-runner-scale-set 0.14.2
   * `templates/autoscalingrunnerset.yaml`); absent: the controller's defaults.
   */
  listenerTemplate?: Readonly<Record<string, unknown>>;
  /** Annotations of the AutoscalingRunnerSet only (0.13+ `resourceMeta`): the controller version ({@link ARC_VERSION_ANNOTATION}). */
  resourceMeta?: { autoscalingRunnerSet: { annotations: Record<string, string> } };
}

export interface ScaleSetInput {
  readonly configUrl: string;
  readonly secretName: string;
  readonly name: string;
  readonly extraLabels: readonly string[];
  readonly multiLabel: boolean;
  readonly runnerGroup: string;
  readonly minRunners: number;
  readonly maxRunners: number;
  readonly controllerServiceAccount: { readonly name: string; readonly namespace: string };
  readonly template: PodTemplate;
  readonly listenerMetrics?: ListenerMetricsValues;
  readonly listenerTemplate?: Readonly<Record<string, unknown>>;
  /** The controller's version, annotated so that a controller upgrade recreates the listener. @default none */
  readonly controllerVersion?: string;
}

export function scaleSetValues(i: ScaleSetInput): ScaleSetValues {
  const v: ScaleSetValues = {
    githubConfigUrl: i.configUrl,
    githubConfigSecret: i.secretName,
    runnerScaleSetName: i.name,
    runnerGroup: i.runnerGroup,
    minRunners: i.minRunners,
    maxRunners: i.maxRunners,
    controllerServiceAccount: { ...i.controllerServiceAccount },
    template: i.template,
  };
  // Only multi-label sets carry the key, so per-label sets also install on ARC < 0.14.
  if (i.multiLabel) v.scaleSetLabels = [...i.extraLabels];
  if (i.listenerMetrics) v.listenerMetrics = i.listenerMetrics;
  if (i.listenerTemplate) v.listenerTemplate = i.listenerTemplate;
  if (i.controllerVersion) v.resourceMeta = { autoscalingRunnerSet: { annotations: { [ARC_VERSION_ANNOTATION]: i.controllerVersion } } };
  return v;
}

/** Pod Security Standards levels (pod-security.kubernetes.io/*). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * The least level runner pods need: `privileged` only when they mount a node's engine socket
 * (hostPath is forbidden by `baseline`), else `baseline`.
 */
export function runnersPodSecurityLevel(transports: readonly EngineTransport[]): PodSecurityLevel {
  return transports.includes("unix") ? "privileged" : "baseline";
}

/**
 * The controller namespace: the controller and the listener pods need no privilege, but the
 * charts set no `runAsNonRoot`/seccomp, so `restricted` would reject them: `baseline`.
 */
export const CONTROLLER_POD_SECURITY: PodSecurityLevel = "baseline";

/** Namespace labels enforcing (and auditing/warning at) one level. */
export function podSecurityLabels(level: string): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/audit": level,
    "pod-security.kubernetes.io/warn": level,
  };
}

/** ARC's name of the listener container (`autoscalingListenerContainerName`, gha-runner-scale-set-0.14.2). */
export const LISTENER_CONTAINER = "listener";

/**
 * Grace period ARC gives a listener pod without a template (`newScaleSetListenerPod`,
 * gha-runner-scale-set-0.14.2 `controllers/actions.github.com/resourcebuilder.go`). With a
 * template, `mergeListenerPodWithTemplate` copies the template's value even when unset, which
 * would drop it to Kubernetes' 30 s: the default template sets it back.
 */
export const LISTENER_TERMINATION_GRACE_SECONDS = 60;

/** Label ARC puts on every runner pod (`resourcebuilder.go` at gha-runner-scale-set-0.14.2). */
export const RUNNER_COMPONENT_LABEL = { key: "app.kubernetes.io/component", value: "runner" } as const;

/**
 * The listener pods' template of every scale set: where the controller runs (`placement`, i.e.
 * the `system` pool and `arc.nodeSelector`/`arc.tolerations`), preferring nodes without runner
 * pods, and the user's `runners.listenerTemplate` on top (its `metadata`, and each of its `spec`
 * fields replacing ours).
 *
 * How ARC applies it (gha-runner-scale-set-0.14.2 `controllers/actions.github.com/resourcebuilder.go`,
 * `mergeListenerPodWithTemplate`): the template's `nodeSelector` (when set) replaces ARC's
 * `kubernetes.io/os: linux`, so ours keeps that key; `tolerations`, `affinity` and
 * `terminationGracePeriodSeconds` are copied as they are (unset ones included); a container
 * named `listener` is merged into ARC's listener container. The CRD requires `spec.containers`
 * (`actions.github.com_autoscalingrunnersets.yaml`), hence the empty `listener` entry.
 */
export function listenerTemplate(
  placement: { readonly nodeSelector: Readonly<Record<string, string>>; readonly tolerations: readonly Toleration[] },
  user?: { readonly metadata?: Readonly<Record<string, unknown>>; readonly spec: Readonly<Record<string, unknown>> },
): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    nodeSelector: { "kubernetes.io/os": "linux", ...placement.nodeSelector },
    ...(placement.tolerations.length > 0 ? { tolerations: placement.tolerations.map((t) => ({ ...t })) } : {}),
    // A preference, not a rule: the listener starts on a node without runner pods when there is
    // one; runners scheduled later may still land beside it (only a pool of its own separates them).
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { [RUNNER_COMPONENT_LABEL.key]: RUNNER_COMPONENT_LABEL.value } },
              namespaceSelector: {},
              topologyKey: "kubernetes.io/hostname",
            },
          },
        ],
      },
    },
    terminationGracePeriodSeconds: LISTENER_TERMINATION_GRACE_SECONDS,
    containers: [{ name: LISTENER_CONTAINER }],
  };
  return {
    ...(user?.metadata ? { metadata: user.metadata } : {}),
    spec: { ...spec, ...(user?.spec ?? {}) },
  };
}
