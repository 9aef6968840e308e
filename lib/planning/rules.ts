/**
 * Validation rules that both the config schema (lib/planning/input) and the constructs apply,
 * each written once as a pure function returning {@link Problem}s. A rule is told where each
 * field it reads lives (`at`): config key paths from the schema (`dagger.engine.transport`),
 * prop names from a construct (`transport`), so the same rule names what the user wrote.
 * One error style everywhere: `<path>: <value> <problem>` (see {@link formatProblem}).
 */
import { PlanError, formatPath, formatValue } from "./errors";
import { validateEngineConfig } from "./engine-config";
import type { EngineMode, EngineNames } from "./engines";
import { engineServiceName } from "./engines";
import type { EngineTransport } from "../engine-spec";
import { ARC_SCALE_SET_MAX, HELM_RELEASE_MAX, K8S_NAME_MAX, isDns1123Label } from "./names";

/** A key path: `["dagger", "versions", 1]`. */
export type Path = readonly (string | number)[];

/** One broken rule: where, the value found there, and what is wrong with it. */
export interface Problem {
  readonly path: Path;
  readonly value: unknown;
  readonly message: string;
}

/** One line: `dagger.engine.transport: "unix" is not valid with ...`. */
export function formatProblem(p: Problem): string {
  return `${formatPath(p.path)}: ${formatValue(p.value)} ${p.message}`;
}

const name = (p: Path) => formatPath(p);

/** The transports a mode supports: `unix` needs a node-local engine, `kube-pod` a named pod. */
export function engineTransportRule(
  e: { readonly mode: EngineMode; readonly transport?: EngineTransport },
  at: { readonly mode: Path; readonly transport: Path },
): Problem[] {
  // A mode's default transport always fits it: only an explicit one can conflict.
  if (e.mode === "statefulset" && e.transport === "unix") {
    return [
      {
        path: at.transport,
        value: e.transport,
        message: `is not valid with ${name(at.mode)} "statefulset" (the engine pod runs on one node, so other nodes have no engine socket; use kube-pod or tcp)`,
      },
    ];
  }
  if (e.mode === "daemonset" && e.transport === "kube-pod") {
    return [
      {
        path: at.transport,
        value: e.transport,
        message: `is not valid with ${name(at.mode)} "daemonset" (DaemonSet pod names are random, so a runner cannot name its node's engine; use unix or tcp)`,
      },
    ];
  }
  return [];
}

/** Cache settings belong to the StatefulSet's PVC; a DaemonSet caches on the node's disk. */
export function engineCacheRule(
  e: { readonly mode: EngineMode; readonly cache?: unknown },
  at: { readonly mode: Path; readonly cache: Path },
): Problem[] {
  if (e.mode !== "daemonset" || e.cache === undefined) return [];
  return [
    {
      path: at.cache,
      value: e.cache,
      message: `conflicts with ${name(at.mode)} "daemonset" (a DaemonSet caches on the node's disk; cache.size, storageClass and retainOnDelete need mode statefulset)`,
    },
  ];
}

/** An existing Dagger Cloud Secret is only read when Dagger Cloud is on. */
export function engineCloudRule(
  cloud: { readonly enabled?: boolean; readonly existingSecretName?: string } | undefined,
  at: { readonly enabled: Path; readonly existingSecretName: Path },
): Problem[] {
  if (cloud?.existingSecretName === undefined || cloud.enabled) return [];
  return [{ path: at.existingSecretName, value: cloud.existingSecretName, message: `needs ${name(at.enabled)}: true` }];
}

/** A value is only given to a PriorityClass the deployment creates. */
export function priorityClassRule(
  pc: { readonly create?: boolean; readonly value?: number } | undefined,
  defaultValue: number,
  at: { readonly create: Path; readonly value: Path },
): Problem[] {
  if (pc?.create !== false || pc.value === undefined || pc.value === defaultValue) return [];
  return [{ path: at.value, value: pc.value, message: `conflicts with ${name(at.create)}: false (the value belongs to an existing class)` }];
}

/** A TCP port. */
export function portRule(port: number | undefined, at: { readonly port: Path }): Problem[] {
  if (port === undefined || (Number.isInteger(port) && port >= 1 && port <= 65535)) return [];
  return [{ path: at.port, value: port, message: "is out of range (expected 1-65535)" }];
}

/** engine.json against the schema of every engine version (lib/planning/engine-config.ts). */
export function engineConfigRule(config: unknown, versions: readonly string[], at: { readonly config: Path }): Problem[] {
  if (config === undefined) return [];
  const bad = validateEngineConfig(config, versions);
  if (!bad) return [];
  return [{ path: [...at.config, ...bad.path], value: valueAt(config, bad.path), message: bad.message }];
}

/**
 * Namespaces that must differ: the engines namespace is privileged and the controller's holds the
 * listeners, so each layer keeps its own. The first repeat is reported.
 */
export function distinctNamespacesRule(namespaces: readonly { readonly path: Path; readonly value: string }[]): Problem[] {
  const seen = new Map<string, Path>();
  for (const n of namespaces) {
    const other = seen.get(n.value);
    if (other) {
      return [{ path: n.path, value: n.value, message: `conflicts with ${name(other)} (the controller, runners and engines namespaces must differ)` }];
    }
    seen.set(n.value, n.path);
  }
  return [];
}

/**
 * The controller's ServiceAccount, set through extra controller values: scale sets bind their
 * manager Role to it, so it must be named and not `default`.
 */
export function controllerServiceAccountRule(extraValues: Readonly<Record<string, unknown>> | undefined, at: { readonly extraValues: Path }): Problem[] {
  const sa = extraValues?.serviceAccount;
  if (sa === undefined) return [];
  const saName = sa !== null && typeof sa === "object" ? (sa as Record<string, unknown>).name : undefined;
  if (saName === undefined || (typeof saName === "string" && saName !== "" && saName !== "default")) return [];
  return [
    {
      path: [...at.extraValues, "serviceAccount", "name"],
      value: saName,
      message: "must be a non-default ServiceAccount name (scale sets bind to it)",
    },
  ];
}

/** `flags.watchSingleNamespace` of extra controller values (`arc.controllerValues`), if set. */
export function watchedByValues(extraValues: Readonly<Record<string, unknown>> | undefined): unknown {
  const flags = extraValues?.flags;
  return flags !== null && typeof flags === "object" ? (flags as Record<string, unknown>).watchSingleNamespace : undefined;
}

/**
 * A controller limited to one namespace (`flags.watchSingleNamespace`) reconciles only the
 * AutoscalingRunnerSets there (actions-runner-controller gha-runner-scale-set-0.14.2 `main.go`:
 * the cache holds that namespace and the controller's own), so it must be the runners namespace.
 */
export function watchNamespaceRule(watched: unknown, runnersNamespace: string, at: { readonly watchSingleNamespace: Path }): Problem[] {
  if (watched === undefined || watched === "" || watched === runnersNamespace) return [];
  return [
    {
      path: at.watchSingleNamespace,
      value: watched,
      message: `is not the runners namespace ("${runnersNamespace}"), where the scale sets are: the controller would not reconcile them (watch only the runners namespace)`,
    },
  ];
}

/**
 * Names the engine layer derives beyond the chart's (tcp: a `<release>-engine` Service per engine)
 * within Kubernetes limits. `where` says which key or prop made the name.
 */
export function engineObjectNamesRule(
  engines: readonly EngineNames[],
  transport: EngineTransport,
  where: (engine: EngineNames, index: number) => { readonly path: Path; readonly value: unknown },
): Problem[] {
  if (transport !== "tcp") return [];
  for (const [i, e] of engines.entries()) {
    const svc = engineServiceName(e.releaseName);
    // Services are DNS-1035 labels: at most 63 characters, starting with a letter.
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(svc) || svc.length > K8S_NAME_MAX) {
      return [
        {
          ...where(e, i),
          message: `makes engine Service name "${svc}" invalid (a Service name starts with a letter and has at most ${K8S_NAME_MAX} characters)`,
        },
      ];
    }
  }
  return [];
}

/**
 * A kube-pod engine grants exec to one ServiceAccount of the runners namespace: the runner pods
 * must run as that account.
 */
export function runnerServiceAccountRule(
  serviceAccountName: string,
  engines: readonly { readonly version: string; readonly transport: EngineTransport; readonly serviceAccountName?: string }[],
  at: { readonly serviceAccountName: Path },
): Problem[] {
  const e = engines.find((x) => x.transport === "kube-pod" && x.serviceAccountName !== serviceAccountName);
  if (!e) return [];
  return [
    {
      path: at.serviceAccountName,
      value: serviceAccountName,
      message: `differs from the ServiceAccount "${e.serviceAccountName}" the kube-pod engine ${e.version} grants exec to (give the engine layer the same name)`,
    },
  ];
}

/** Idle runners cannot exceed the most runners of a scale set (the scale-set chart fails the render). */
export function runnerCountRule(minRunners: number, maxRunners: number, at: { readonly minRunners: Path; readonly maxRunners: Path }): Problem[] {
  if (minRunners <= maxRunners) return [];
  return [{ path: at.minRunners, value: minRunners, message: `is greater than ${name(at.maxRunners)} (${maxRunners})` }];
}

/**
 * A scale set's names: ARC's `runnerScaleSetName` (at most 45 characters) and its Helm release,
 * a DNS-1123 label short enough for ARC's suffixed object names. `where` names the key or prop
 * that made them.
 */
export function scaleSetNamesRule(
  s: { readonly name: string; readonly releaseName: string },
  where: { readonly name: { readonly path: Path; readonly value: unknown }; readonly releaseName: { readonly path: Path; readonly value: unknown } },
): Problem[] {
  if (s.name.length > ARC_SCALE_SET_MAX) {
    return [{ ...where.name, message: `makes scale-set name "${s.name}" ${s.name.length} characters long (ARC allows at most ${ARC_SCALE_SET_MAX})` }];
  }
  if (s.releaseName.length > HELM_RELEASE_MAX || !isDns1123Label(s.releaseName, K8S_NAME_MAX)) {
    return [{ ...where.releaseName, message: `makes Helm release name "${s.releaseName}" invalid (DNS-1123, at most ${HELM_RELEASE_MAX} characters)` }];
  }
  return [];
}

/** `[major, minor, patch]` of a chart version `MAJOR.MINOR.PATCH`. */
export function chartVersionParts(v: string): [number, number, number] {
  const [a, b, c] = v.split(".").map(Number);
  return [a, b, c];
}

function atLeast(v: string, min: readonly [number, number, number]): boolean {
  const p = chartVersionParts(v);
  for (let i = 0; i < 3; i++) if (p[i] !== min[i]) return p[i] > min[i];
  return true;
}

/** ARC release that added `scaleSetLabels` (actions-runner-controller 0.14.0). */
export const ARC_MULTI_LABEL_MIN = "0.14.0";

/**
 * The scale sets' chart version against the controller's: only the patch may differ, from 0.12.0
 * on (the controller rejects scale sets of another version), and `multi-label` needs
 * `scaleSetLabels` (ARC 0.14.0) on both.
 */
export function scaleSetVersionRules(
  version: string,
  scaleSetVersion: string | undefined,
  labelStrategy: string,
  at: { readonly version: Path; readonly scaleSetVersion: Path; readonly labelStrategy: Path },
): Problem[] {
  const out: Problem[] = [];
  const sets = scaleSetVersion ?? version;
  if (scaleSetVersion !== undefined && scaleSetVersion !== version) {
    const [c, s] = [chartVersionParts(version), chartVersionParts(scaleSetVersion)];
    const patchOnly = c[0] === s[0] && c[1] === s[1] && atLeast(version, [0, 12, 0]) && atLeast(scaleSetVersion, [0, 12, 0]);
    if (!patchOnly) {
      out.push({
        path: at.scaleSetVersion,
        value: scaleSetVersion,
        message: `must match ${name(at.version)} ${version} (the controller rejects scale sets of another version; only the patch may differ, from 0.12.0 on)`,
      });
    }
  }
  if (labelStrategy === "multi-label") {
    const low = [version, sets].find((v) => !atLeast(v, [0, 14, 0]));
    if (low !== undefined) {
      out.push({
        path: at.labelStrategy,
        value: labelStrategy,
        message: `needs ARC ${ARC_MULTI_LABEL_MIN} or newer (${name(at.version)} is ${version}${scaleSetVersion ? `, ${name(at.scaleSetVersion)} ${scaleSetVersion}` : ""}; scaleSetLabels arrived in ${ARC_MULTI_LABEL_MIN})`,
      });
    }
  }
  return out;
}

/** The value at `path` inside `obj`. */
export function valueAt(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** `problems` with their paths made relative to `base` (for zod refinements nested under it). */
export function relativeTo(base: Path, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => {
    const within = base.every((k, i) => p.path[i] === k);
    return within ? { ...p, path: p.path.slice(base.length) } : p;
  });
}

/** Throws the first problem as a {@link PlanError} (planning code reports one line and stops). */
export function throwFirst(problems: readonly Problem[]): void {
  const p = problems[0];
  if (p) throw new PlanError(formatPath(p.path), p.value, p.message);
}
