/**
 * Engine naming: one Dagger Helm release per engine version. Pure code.
 */
import { PlanError } from "./errors";
import { EngineVersion } from "./versions";
import { HELM_RELEASE_MAX, K8S_NAME_MAX, STATEFULSET_NAME_MAX, daggerChartFullname, isDns1123Label } from "./names";

export type EngineMode = "daemonset" | "statefulset";

export interface EngineNames {
  readonly version: string;
  /** Helm release name, e.g. `dagger-runners-v0-20-3`. */
  readonly releaseName: string;
  /** The chart's `dagger.fullname`, e.g. `dagger-runners-v0-20-3-dagger-helm`. */
  readonly fullname: string;
  /** DaemonSet/StatefulSet name: `<fullname>-engine`; pods carry the label `name: <this>`. */
  readonly workloadName: string;
  /** StatefulSet mode only: the single pod `<fullname>-engine-0`. */
  readonly podName?: string;
}

/** Release name of the engine for `version` in deployment `name`. */
export function engineReleaseName(name: string, v: EngineVersion): string {
  return `${name}-v${v.major}-${v.minor}-${v.patch}`;
}

/** Names of every engine, checked against Helm and Kubernetes limits. */
export function planEngineNames(
  name: string,
  versions: readonly EngineVersion[],
  mode: EngineMode,
  paths: { name?: string } = {},
): EngineNames[] {
  const namePath = paths.name ?? "name";
  return versions.map((v) => {
    const releaseName = engineReleaseName(name, v);
    const fullname = daggerChartFullname(releaseName);
    const workloadName = `${fullname}-engine`;
    const max = mode === "statefulset" ? STATEFULSET_NAME_MAX : K8S_NAME_MAX;
    if (releaseName.length > HELM_RELEASE_MAX) {
      throw new PlanError(namePath, name, `makes engine release "${releaseName}" ${releaseName.length} characters long (Helm allows ${HELM_RELEASE_MAX}); use a shorter name`);
    }
    if (!isDns1123Label(workloadName, max)) {
      throw new PlanError(namePath, name, `makes engine ${mode} name "${workloadName}" ${workloadName.length} characters long (at most ${max}); use a shorter name`);
    }
    return {
      version: v.text,
      releaseName,
      fullname,
      workloadName,
      podName: mode === "statefulset" ? `${workloadName}-0` : undefined,
    };
  });
}
