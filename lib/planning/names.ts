/**
 * Resource-name rules of Kubernetes, Helm, ARC and the Dagger chart. Pure code.
 */

/** Helm 3 refuses release names longer than 53 characters (helm/pkg/chartutil). */
export const HELM_RELEASE_MAX = 53;
/**
 * ARC: `runnerScaleSetName` at most 45 characters; the chart appends suffixes to
 * `<name>-gha-rs` without truncating (actions-runner-controller issues 2697, 4182).
 */
export const ARC_SCALE_SET_MAX = 45;
/** DNS-1123 label: most Kubernetes object names and all label values. */
export const K8S_NAME_MAX = 63;
/**
 * A StatefulSet's pods carry `controller-revision-hash: <sts>-<10 chars>`, a label value
 * (at most 63), so StatefulSet names are effectively limited to 52 characters.
 */
export const STATEFULSET_NAME_MAX = 52;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when `s` is a valid DNS-1123 label of at most `max` characters. */
export function isDns1123Label(s: string, max = K8S_NAME_MAX): boolean {
  return s.length <= max && DNS1123_LABEL.test(s);
}

/** Chart name of `oci://registry.dagger.io/dagger-helm` (dagger/dagger helm/dagger/Chart.yaml). */
export const DAGGER_CHART_NAME = "dagger-helm";

/**
 * The Dagger chart's `dagger.fullname` helper (dagger/dagger helm/dagger/templates/_helpers.tpl):
 * `fullnameOverride` if set, else the release name if it contains the chart name, else
 * `<release>-dagger-helm`; truncated to 63 characters with one trailing `-` trimmed (`trunc 63 | trimSuffix "-"`).
 */
export function daggerChartFullname(releaseName: string, fullnameOverride?: string): string {
  const raw = fullnameOverride
    ? fullnameOverride
    : releaseName.includes(DAGGER_CHART_NAME)
      ? releaseName
      : `${releaseName}-${DAGGER_CHART_NAME}`;
  return raw.slice(0, 63).replace(/-$/, "");
}

/** Turns a label such as `dagger-v0.20.3-large` into a DNS-1123 name: `dagger-v0-20-3-large`. */
export function labelToResourceName(label: string): string {
  return label.replace(/\./g, "-");
}

/** Construct id of a per-version resource: `0.20.3` -> `v0-20-3`. */
export function engineResourceId(version: string): string {
  return `v${version.replace(/\./g, "-")}`;
}

/** The engines' PriorityClass the engine layer creates: `name` when given, else `<namePrefix>-dagger-engine`. */
export function enginePriorityClassName(namePrefix: string, name?: string): string {
  return name ?? `${namePrefix}-dagger-engine`;
}
