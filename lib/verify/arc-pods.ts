/**
 * The pods ARC creates from a rendered AutoscalingRunnerSet: the runner pods (in the scale set's
 * namespace) and the listener pod (in the controller's namespace), with the labels ARC gives
 * them. No chart renders these pods; the controller builds them at run time, so their labels are
 * taken from ARC's source at gha-runner-scale-set-0.14.2 (`controllers/actions.github.com/
 * resourcebuilder.go`: `newAutoscalingListener`, `newScaleSetListenerPod`,
 * `newEphemeralRunnerSet`, `newEphemeralRunner`, `newEphemeralRunnerPod`, `applyGitHubURLLabels`,
 * `filterAndMergeLabels`; `constants.go`; `github/actions/actions.go`
 * `ParseGitHubConfigFromURL`). The same code is in 0.13.1 and 0.14.1 for these labels.
 */
import type { K8sObject } from "./render";

/** A pod as the verifier models it. */
export interface ModelPod {
  /** What the pod is, for messages (e.g. `runner pod of dagger-latest`). */
  readonly what: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The pod spec, where known. */
  readonly spec?: PodSpec;
}

/** The parts of a PodSpec the checks read. */
export interface PodSpec {
  serviceAccountName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  priorityClassName?: string;
  containers?: Container[];
  initContainers?: Container[];
  volumes?: ({ name: string; hostPath?: { path: string }; configMap?: { name: string }; [k: string]: unknown })[];
}

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}

const PART_OF = "app.kubernetes.io/part-of";
const COMPONENT = "app.kubernetes.io/component";
const VERSION = "app.kubernetes.io/version";
const SCALE_SET_NAME = "actions.github.com/scale-set-name";
const SCALE_SET_NAMESPACE = "actions.github.com/scale-set-namespace";

/** `applyGitHubURLLabels`: enterprise / organization / repository labels from the config URL. */
export function gitHubUrlLabels(configUrl: string): Record<string, string> {
  const parts = new URL(configUrl.replace(/^\/+|\/+$/g, "")).pathname.replace(/^\/+|\/+$/g, "").split("/");
  const trim = (v: string) => (v.length > 63 ? `${v.slice(0, 63 - "-trim".length)}-trim` : v.replace(/^[-_.]+|[-_.]+$/g, ""));
  if (parts.length === 1 && parts[0]) return { "actions.github.com/organization": trim(parts[0]) };
  if (parts.length === 2 && parts[0].toLowerCase() === "enterprises") return { "actions.github.com/enterprise": trim(parts[1]) };
  if (parts.length === 2) return { "actions.github.com/organization": trim(parts[0]), "actions.github.com/repository": trim(parts[1]) };
  return {};
}

/** `filterAndMergeLabels`: `base` without excluded prefixes, then `overwrite` without them. */
function filterAndMerge(base: Record<string, string> | undefined, overwrite: Record<string, string>, exclude: readonly string[]): Record<string, string> {
  const keep = ([k]: [string, string]) => !exclude.some((p) => k.startsWith(p));
  return { ...Object.fromEntries(Object.entries(base ?? {}).filter(keep)), ...Object.fromEntries(Object.entries(overwrite).filter(keep)) };
}

interface ArsSpec {
  githubConfigUrl: string;
  template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
  listenerTemplate?: { metadata?: { labels?: Record<string, string> } };
  autoscalingListenerMetadata?: { labels?: Record<string, string> };
  ephemeralRunnerSetMetadata?: { labels?: Record<string, string> };
  ephemeralRunnerMetadata?: { labels?: Record<string, string> };
}

/** The runner pod ARC creates for `ars` (an AutoscalingRunnerSet as rendered). */
export function runnerPod(ars: K8sObject, excludePrefixes: readonly string[] = []): ModelPod {
  const spec = ars.spec as ArsSpec;
  const ns = ars.metadata.namespace ?? "default";
  // newEphemeralRunnerSet
  let labels = filterAndMerge(
    ars.metadata.labels,
    {
      [PART_OF]: "gha-runner-scale-set",
      [COMPONENT]: "runner-set",
      [VERSION]: ars.metadata.labels?.[VERSION] ?? "",
      [SCALE_SET_NAME]: ars.metadata.name,
      [SCALE_SET_NAMESPACE]: ns,
    },
    excludePrefixes,
  );
  Object.assign(labels, gitHubUrlLabels(spec.githubConfigUrl));
  if (spec.ephemeralRunnerSetMetadata?.labels) labels = filterAndMerge(spec.ephemeralRunnerSetMetadata.labels, labels, excludePrefixes);
  // newEphemeralRunner
  labels = { ...labels, [COMPONENT]: "runner" };
  if (spec.ephemeralRunnerMetadata?.labels) labels = filterAndMerge(spec.ephemeralRunnerMetadata.labels, labels, excludePrefixes);
  // newEphemeralRunnerPod: the runner's labels, then the template's, then two of its own.
  labels = { ...labels, ...(spec.template?.metadata?.labels ?? {}), "actions-ephemeral-runner": "True", "pod-template-hash": "x" };
  return { what: `runner pod of ${ars.metadata.name}`, namespace: ns, labels, spec: spec.template?.spec ?? {} };
}

/** The listener pod ARC creates for `ars`, in the controller's namespace. */
export function listenerPod(ars: K8sObject, controllerNamespace: string, excludePrefixes: readonly string[] = []): ModelPod {
  const spec = ars.spec as ArsSpec;
  let labels = filterAndMerge(
    ars.metadata.labels,
    {
      [SCALE_SET_NAMESPACE]: ars.metadata.namespace ?? "default",
      [SCALE_SET_NAME]: ars.metadata.name,
      [PART_OF]: "gha-runner-scale-set",
      [COMPONENT]: "runner-scale-set-listener",
      [VERSION]: ars.metadata.labels?.[VERSION] ?? "",
    },
    excludePrefixes,
  );
  Object.assign(labels, gitHubUrlLabels(spec.githubConfigUrl));
  if (spec.autoscalingListenerMetadata?.labels) labels = filterAndMerge(spec.autoscalingListenerMetadata.labels, labels, excludePrefixes);
  // mergeListenerPodWithTemplate: template labels only where the pod has none.
  labels = { ...(spec.listenerTemplate?.metadata?.labels ?? {}), ...labels };
  return { what: `listener pod of ${ars.metadata.name}`, namespace: controllerNamespace, labels };
}

/** The controller's `--exclude-label-propagation-prefix` flags (controller Deployment as rendered). */
export function excludedLabelPrefixes(controller: K8sObject | undefined): string[] {
  const containers = ((controller?.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec?.containers ?? []) as Container[];
  const flag = "--exclude-label-propagation-prefix=";
  return containers.flatMap((c) => c.args ?? []).filter((a) => a.startsWith(flag)).map((a) => a.slice(flag.length));
}
