/**
 * The impact of a change, before it is applied: from two synthesized deployments (and their
 * deployment plans when present), every resource that is created, updated, replaced or
 * destroyed, and in words what that does to running jobs. Pure code: no cdktf, no file access.
 *
 * Facts it builds on (each at the version deployed):
 * - Engines (Dagger chart `dagger-helm`, `templates/engine-{daemonset,statefulset}.yaml` at
 *   v0.20.3): no `updateStrategy`, so a changed pod template rolls a DaemonSet one node at a time
 *   (Kubernetes' default RollingUpdate, maxUnavailable 1) and recreates the StatefulSet's one
 *   pod; `engine.json` changes roll too (a `checksum/config` pod annotation). The StatefulSet's
 *   `volumeClaimTemplates` come from `engine.statefulSet.persistentVolumeClaim` and
 *   `podManagementPolicy` from `engine.statefulSet.podManagementPolicy`.
 * - Kubernetes forbids updates to a StatefulSet's spec other than `replicas`, `ordinals`,
 *   `template`, `updateStrategy`, `revisionHistoryLimit`, `persistentVolumeClaimRetentionPolicy`
 *   and `minReadySeconds` (kubernetes/kubernetes `pkg/apis/apps/validation/validation.go`
 *   `ValidateStatefulSetUpdate`): a changed volumeClaimTemplate fails the Helm upgrade.
 * - ARC (actions-runner-controller at gha-runner-scale-set-0.14.2,
 *   `controllers/actions.github.com/autoscalingrunnerset_controller.go`): a change to the runner
 *   set spec (`RunnerSetSpecHash`: config URL, secret, runner group, scale-set name, proxy, TLS,
 *   pod template) makes a new EphemeralRunnerSet; with `--update-strategy=eventual` the listener
 *   is removed and the new set waits until running and pending jobs finish, with `immediate`
 *   it starts at once. Any other spec change (min/max runners) only recreates the listener.
 *   Removing runners skips those still running a job (`ephemeralrunnerset_controller.go`
 *   `deleteEphemeralRunnerWithActionsClient`, JobStillRunningError).
 * - Helm never upgrades or deletes the CRDs in a chart's `crds/` directory (Helm docs, "Custom
 *   Resource Definitions"), so upgrading ARC's controller chart leaves its CRDs as they were.
 * - GKE: a changed machine type, disk type or size or image type of a node pool recreates its
 *   nodes with the pool's upgrade strategy ("Types of changes to a GKE cluster"); node labels
 *   and taints are updated without recreating nodes ("Update Kubernetes node labels and taints
 *   for node pools"). A cluster with `deletion_protection` true cannot be destroyed by Terraform.
 */
import type { DeploymentPlan } from "../planning/deployment";
import { compareVersionText } from "../planning/versions";
import { ARC_CRDS_CHART, ARC_CRDS_RELEASE } from "../planning/arc-crds";
import { multiLabelScaleSetName } from "../planning/labels";
import { Action, ResourceChange, ResourcePair, SynthStackInput, differingPaths, diffResources } from "./diff";

/** One side of the comparison: a config synthesized here, or an earlier `cdktf.out`. */
export interface ImpactSide {
  /** What the user named: the config file or output directory. */
  readonly label: string;
  readonly stacks: readonly SynthStackInput[];
  /** `deployment-plan.json` (absent in outputs not written by this app). */
  readonly plan?: DeploymentPlan;
}

export type Severity = "safe" | "disruptive" | "fails";

/** One thing the change does, in words. */
export interface Finding {
  readonly severity: Severity;
  /** What it is about: `engine 0.20.3`, `scale set dagger-v0.20`, `ARC`, `cluster`, `pool runners`, ... */
  readonly subject: string;
  readonly text: string;
}

export interface Impact {
  readonly before: string;
  readonly after: string;
  /** The worst finding's severity (`safe` with no findings). */
  readonly verdict: Severity;
  readonly exitCode: number;
  readonly findings: readonly Finding[];
  readonly resources: readonly ResourceChange[];
}

/** Exit codes of `npm run impact`: 0 safe, 3 disruptive, 4 will fail at apply (1 bad input, 2 usage). */
export const EXIT_CODES: Readonly<Record<Severity, number>> = { safe: 0, disruptive: 3, fails: 4 };
const RANK: Readonly<Record<Severity, number>> = { safe: 0, disruptive: 1, fails: 2 };

const ENGINE_CHART = "dagger-helm";
const SCALE_SET_CHART = "gha-runner-scale-set";
const CONTROLLER_CHART = "gha-runner-scale-set-controller";

type Body = Readonly<Record<string, unknown>>;
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The merged Helm values of a helm_release (each entry of `values` is a JSON document). */
function helmValues(body: Body | undefined): Values {
  const list = Array.isArray(body?.values) ? (body!.values as unknown[]) : [];
  return Object.assign(
    {},
    ...list.map((v) => {
      try {
        return typeof v === "string" ? (JSON.parse(v) as Values) : {};
      } catch {
        return {}; // YAML values: not written by this product
      }
    }),
  );
}

const q = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));
const list = (xs: readonly string[], max = 6) => (xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} and ${xs.length - max} more`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The scale-set releases of a side. */
function scaleSetBodies(side: ImpactSide): Body[] {
  return side.stacks.flatMap((st) => Object.values<Body>(st.json.resource?.helm_release ?? {})).filter((b) => b.chart === SCALE_SET_CHART);
}

/** `runnerScaleSetName` of a scale-set release (the release name when unset, as the chart does). */
function setNameOf(body: Body | undefined): string {
  return String(helmValues(body).runnerScaleSetName ?? body?.name ?? "?");
}

/** How long Helm waits on a release's uninstall (the helm provider's `timeout`, default 300 s). */
function waitText(body: Body | undefined): string {
  const seconds = Number(body?.timeout ?? 300);
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/** "every node of pool runners (1-10 nodes)" for a DaemonSet engine, from the plan. */
function daemonSetWhere(plan: DeploymentPlan | undefined, releaseName: string): string {
  const e = plan?.capacity?.engines.find((x) => x.releaseName === releaseName);
  if (!e || !plan?.capacity) return "every node it runs on";
  const pools = e.pools.map((name) => plan.capacity!.pools.find((p) => p.name === name)).filter((p) => p !== undefined);
  const nodes = pools.map((p) => `${p.name} (${p.minNodes === p.maxNodes ? p.minNodes : `${p.minNodes}-${p.maxNodes}`} nodes)`);
  return `every node of pool ${nodes.join(" and pool ")}`;
}

/** Whether runners may share the engine's nodes (a new engine pod may then preempt one). */
function sharesRunnerNodes(plan: DeploymentPlan | undefined, releaseName: string): boolean {
  const e = plan?.capacity?.engines.find((x) => x.releaseName === releaseName);
  if (!e) return true; // unknown placement (existing-cluster without nodes): assume shared
  return e.pools.some((name) => (plan!.capacity!.pools.find((p) => p.name === name)?.demand ?? 0) > 0);
}

/** Versions the plan drains (`dagger.draining`). */
function drainingVersions(plan: DeploymentPlan | undefined): Set<string> {
  return new Set((plan?.runners.labels ?? []).filter((l) => l.draining).map((l) => l.version));
}

/** Spec fields of AutoscalingRunnerSet that ARC hashes into `RunnerSetSpecHash` (chart values of the same names). */
const RUNNER_SET_SPEC_KEYS = ["githubConfigUrl", "githubConfigSecret", "runnerGroup", "runnerScaleSetName", "proxy", "githubServerTLS", "template"];

/** Chart value paths that become StatefulSet spec fields Kubernetes will not update. */
const IMMUTABLE_STS_PATHS = ["engine.statefulSet.persistentVolumeClaim", "engine.statefulSet.podManagementPolicy"];
/** Chart value paths that change the StatefulSet spec without touching the pod template. */
const MUTABLE_STS_PATHS = ["engine.statefulSet.persistentVolumeClaimRetentionPolicy"];

/** The config key a chart value path comes from (for the one-line refusal). */
function configKeyOf(valuePath: string): string {
  if (valuePath === "engine.statefulSet.persistentVolumeClaim.resources.requests.storage") return "dagger.engine.cache.size";
  if (valuePath === "engine.statefulSet.persistentVolumeClaim.storageClassName") return "dagger.engine.cache.storageClass";
  return `(chart value) ${valuePath}`;
}

function at(values: Values, path: string): unknown {
  return path.split(".").reduce<unknown>((cur, k) => (cur && typeof cur === "object" ? (cur as Values)[k] : undefined), values);
}

/** Top two levels of value paths, deduplicated: `engine.resources`, `engine.configJson`. */
function shortPaths(paths: readonly string[]): string[] {
  return [...new Set(paths.map((p) => p.split(".").slice(0, 2).join(".")))];
}

class Assessor {
  readonly findings: Finding[] = [];
  private readonly drainingBefore: Set<string>;
  private readonly updateStrategy: string;

  constructor(
    private readonly before: ImpactSide,
    private readonly after: ImpactSide,
    private readonly pairs: readonly ResourcePair[],
  ) {
    this.drainingBefore = drainingVersions(before.plan);
    const controller = pairs.find((p) => p.after && p.after.chart === CONTROLLER_CHART)?.after ?? this.allAfter("helm_release").find((b) => b.chart === CONTROLLER_CHART);
    this.updateStrategy = String(helmValues(controller).flags?.updateStrategy ?? "immediate");
  }

  private add(severity: Severity, subject: string, text: string): void {
    this.findings.push({ severity, subject, text });
  }

  private allAfter(type: string): Body[] {
    return this.after.stacks.flatMap((s) => Object.values(s.json.resource?.[type] ?? {}));
  }

  run(): void {
    const helm = this.pairs.filter((p) => p.change.type === "helm_release");
    const chartOf = (p: ResourcePair) => String((p.after ?? p.before)!.chart ?? "");
    this.cluster();
    this.pools();
    this.namespaces();
    this.controller(helm.filter((p) => chartOf(p) === CONTROLLER_CHART), helm.filter((p) => chartOf(p) === SCALE_SET_CHART));
    for (const p of helm.filter((x) => chartOf(x) === ENGINE_CHART)) this.engine(p);
    this.crdsHandedOver(helm.filter((p) => p.change.action === "delete" && (p.before?.name === ARC_CRDS_RELEASE) && chartOf(p).includes(ARC_CRDS_CHART)));
    this.scaleSets(helm.filter((p) => chartOf(p) === SCALE_SET_CHART));
    this.labelMoves();
    this.others();
  }

  /**
   * The CRD release uninstalled while the controller stays (`arc.installCrds: false`): every CRD
   * carries `helm.sh/resource-policy: keep` (lib/constructs/arc-crds.ts), so they stay.
   */
  private crdsHandedOver(deleted: readonly ResourcePair[]): void {
    const controllerStays = this.allAfter("helm_release").some((r) => r.chart === CONTROLLER_CHART);
    if (deleted.length === 0 || !controllerStays) return;
    this.add(
      "safe",
      "ARC",
      `release ${ARC_CRDS_RELEASE} is uninstalled (arc.installCrds: false): ARC's CRDs stay (helm.sh/resource-policy: keep) for the deployment on this cluster that installs them (its ${ARC_CRDS_RELEASE} release takes them over)`,
    );
  }

  private cluster(): void {
    for (const p of this.pairs.filter((x) => x.change.type === "google_container_cluster")) {
      const c = p.change;
      const name = String((p.after ?? p.before)!.name ?? c.id);
      if (c.action === "replace" || c.action === "delete") {
        const why = c.action === "replace" ? `replaced (forced by ${list(c.forcedBy)})` : "destroyed";
        this.add("disruptive", "cluster", `GKE cluster ${name} is ${why}: every node, running job, engine and cache is lost${c.action === "replace" ? "; the runners stack then deploys onto an empty cluster" : ""}`);
        if (p.before?.deletion_protection === true) {
          this.add("fails", "cluster", `GKE cluster ${name}: deletion_protection is true, so Terraform refuses to destroy it (set cluster.deletionProtection: false in a deploy of its own first, if losing the cluster is intended)`);
        }
      } else if (c.action === "update") {
        this.add("safe", "cluster", `GKE cluster ${name} is updated in place (${list(shortPaths(c.changed))})`);
      } else {
        this.add("safe", "cluster", `GKE cluster ${name} is created`);
      }
    }
  }

  private pools(): void {
    const recreating = ["node_config.machine_type", "node_config.disk_type", "node_config.disk_size_gb", "node_config.image_type", "node_config.boot_disk"];
    for (const p of this.pairs.filter((x) => x.change.type === "google_container_node_pool")) {
      const c = p.change;
      const name = String((p.after ?? p.before)!.name ?? c.id);
      const pool = (this.after.plan ?? this.before.plan)?.capacity?.pools.find((x) => x.name === name);
      const nodes = pool ? ` (${pool.minNodes === pool.maxNodes ? pool.minNodes : `${pool.minNodes}-${pool.maxNodes}`} nodes)` : "";
      const loss = "running jobs on them are cancelled and node-local engine caches are lost";
      if (c.action === "create") this.add("safe", `pool ${name}`, `node pool ${name} is created`);
      else if (c.action === "delete") this.add("disruptive", `pool ${name}`, `node pool ${name} is deleted with its nodes${nodes}: ${loss}`);
      else if (c.action === "replace") this.add("disruptive", `pool ${name}`, `node pool ${name} is replaced (forced by ${list(c.forcedBy)}): its nodes${nodes} are deleted; ${loss}`);
      else {
        const hard = c.changed.filter((x) => recreating.some((r) => x === r || x.startsWith(`${r}.`)));
        if (hard.length > 0) {
          this.add("disruptive", `pool ${name}`, `node pool ${name}: GKE recreates every node${nodes} (${list(hard)}), draining them with the pool's upgrade strategy: ${loss}`);
        }
        const soft = c.changed.filter((x) => !hard.includes(x));
        if (soft.length > 0) this.add("safe", `pool ${name}`, `node pool ${name} is updated without recreating nodes (${list(shortPaths(soft))})`);
      }
    }
  }

  private namespaces(): void {
    for (const p of this.pairs.filter((x) => x.change.type === "kubernetes_namespace_v1" && (x.change.action === "replace" || x.change.action === "delete"))) {
      const name = String(((p.before?.metadata ?? {}) as Values).name ?? p.change.id);
      this.add("disruptive", `namespace ${name}`, `namespace ${name} is ${p.change.action === "replace" ? "replaced" : "deleted"}: everything in it is deleted`);
    }
  }

  private controller(controllers: readonly ResourcePair[], scaleSets: readonly ResourcePair[]): void {
    for (const p of controllers) {
      const c = p.change;
      if (c.action !== "update") {
        if (c.action !== "create") this.add("disruptive", "ARC", `ARC controller is ${c.action === "replace" ? `replaced (forced by ${list(c.forcedBy)})` : "uninstalled"}: no runner scales until it is back`);
        continue;
      }
      const from = String(p.before?.version ?? "");
      const to = String(p.after?.version ?? "");
      if (from !== to) {
        const direction = compareVersionText(to, from) < 0 ? "downgrade" : "upgrade";
        const upgraded = scaleSets.filter((s) => s.change.action === "update" && s.before?.version !== s.after?.version).length;
        // The bundled chart is a local asset whose path ends in `<chart>-<version>.tgz`.
        const crds = this.pairs.find((x) => x.change.type === "helm_release" && (x.after ?? x.before)?.name === ARC_CRDS_RELEASE && String((x.after ?? x.before)?.chart ?? "").includes(ARC_CRDS_CHART));
        const [fromMinor, toMinor] = [from, to].map((v) => v.split(".").slice(0, 2).join("."));
        if (!crds?.after && p.after?.skip_crds === true) {
          // arc.installCrds: false: another deployment on the cluster installs the CRDs
          // (docs/runners.md, "On one cluster").
          this.add(
            "disruptive",
            "ARC",
            `ARC ${direction} ${from} → ${to}: this deployment does not install ARC's CRDs (arc.installCrds: false); deploy the one on this cluster that does at ${to} first, else this controller and ${plural(upgraded, "scale set")} run against ${from}'s CRDs (docs/runners.md#on-one-cluster)`,
          );
        } else if (crds?.after && crds.after.version === to) {
          // The CRDs are a release of their own (lib/constructs/arc-crds.ts): one deploy upgrades
          // CRDs, controller and scale sets in that order, and each listener is recreated.
          this.add(
            fromMinor === toMinor ? "safe" : "disruptive",
            "ARC",
            `ARC ${direction} ${from} → ${to}: one deploy upgrades the CRDs (release ${ARC_CRDS_RELEASE}), then the controller, then ${plural(upgraded, "scale set")}; each listener is recreated with the new controller image${this.updateStrategy === "eventual" ? " once its scale set's running jobs finish (update strategy eventual; new jobs for its labels wait meanwhile)" : ""}${
              fromMinor === toMinor
                ? ""
                : `; across minor versions (${fromMinor} → ${toMinor}) the new controller deletes the scale sets of the old minor, busy runners included, before Helm upgrades them: jobs running then are cancelled (docs/runners.md#upgrading-arc)`
            }`,
          );
        } else {
          this.add(
            "disruptive",
            "ARC",
            `ARC ${direction} ${from} → ${to}: Helm upgrades the controller and ${plural(upgraded, "scale set")} in place, but never upgrades the CRDs in the controller chart's crds/ directory, so the actions.github.com CRDs stay at ${from} unless they are upgraded separately (docs/runners.md, "Upgrades and changes")`,
          );
        }
      }
      const other = differingPaths(helmValues(p.before), helmValues(p.after));
      if (other.length > 0) this.add("safe", "ARC", `ARC controller restarts with new values (${list(shortPaths(other))}); runners keep running`);
    }
  }

  private engine(p: ResourcePair): void {
    const c = p.change;
    const body = (p.after ?? p.before)!;
    const version = String(body.version ?? "?");
    const release = String(body.name ?? c.id);
    const subject = `engine ${version}`;
    const vb = helmValues(p.before);
    const va = helmValues(p.after);
    const kindOf = (v: Values) => String(v.engine?.kind ?? "DaemonSet");
    const where = (side: ImpactSide, v: Values) =>
      kindOf(v) === "StatefulSet" ? "its StatefulSet pod" : `its DaemonSet pods, one node at a time on ${daemonSetWhere(side.plan, release)}`;

    if (c.action === "create") {
      this.add("safe", subject, `engine ${version} is created: ${kindOf(va) === "StatefulSet" ? `a StatefulSet pod with a ${at(va, "engine.statefulSet.persistentVolumeClaim.resources.requests.storage") ?? ""} cache disk` : `a DaemonSet on ${daemonSetWhere(this.after.plan, release)}`}`);
      const pc = this.allAfter("kubernetes_priority_class_v1")[0];
      if (pc?.preemption_policy === "PreemptLowerPriority" && sharesRunnerNodes(this.after.plan, release) && this.before.stacks.length > 0 && c.action === "create" && this.hadRunnersBefore()) {
        this.add("disruptive", subject, `engine ${version}: on a node full of runners its new pod preempts a runner pod (PriorityClass ${q((pc.metadata as Values)?.name)}, preemptionPolicy PreemptLowerPriority), cancelling that runner's job`);
      }
      return;
    }
    if (c.action === "delete") {
      const cache =
        kindOf(vb) === "StatefulSet"
          ? at(vb, "engine.statefulSet.persistentVolumeClaimRetentionPolicy.whenDeleted") === "Retain"
            ? "its cache disk is kept (retainOnDelete)"
            : "its cache disk is deleted"
          : "its node-local cache stays on each node's disk until the node is replaced";
      if (this.drainingBefore.has(version)) this.add("safe", subject, `engine ${version} is removed after draining; ${cache}`);
      else this.add("disruptive", subject, `engine ${version} is removed without draining: jobs still running on it lose their engine (first list it in dagger.draining and deploy, then remove it); ${cache}`);
      return;
    }
    if (c.action === "replace") {
      this.add("disruptive", subject, `engine ${version} is replaced (forced by ${list(c.forcedBy)}): Helm uninstalls and reinstalls it; jobs using it lose their engine and its cache starts empty`);
      return;
    }
    // In-place Helm upgrade: what changes in the rendered workload.
    const changed = differingPaths(vb, va);
    if (kindOf(vb) !== kindOf(va)) {
      this.add("disruptive", subject, `engine ${version} changes from ${kindOf(vb)} to ${kindOf(va)}: Helm deletes the old workload and creates the new one; jobs using it lose their engine and its cache starts empty`);
      return;
    }
    if (kindOf(va) === "StatefulSet") {
      const immutable = changed.filter((x) => IMMUTABLE_STS_PATHS.some((i) => x === i || x.startsWith(`${i}.`)));
      for (const path of immutable) {
        const key = configKeyOf(path);
        const from = at(vb, path);
        const to = at(va, path);
        const show = (v: unknown) => (v === undefined && key.endsWith("storageClass") ? "(cluster default)" : q(v));
        this.add(
          "fails",
          subject,
          `${key}: ${show(from)} → ${show(to)} (engine ${version}): Kubernetes refuses to change a StatefulSet's volumeClaimTemplates, so its Helm upgrade fails; to change it, first drain engine ${version} and remove it (dagger.draining, then dagger.versions; its cache goes), then deploy the new value`,
        );
      }
    }
    const restart = changed.filter(
      (x) => x.startsWith("engine.") && !IMMUTABLE_STS_PATHS.concat(MUTABLE_STS_PATHS).some((i) => x === i || x.startsWith(`${i}.`)),
    );
    const otherValues = changed.filter((x) => !x.startsWith("engine.") && x !== "");
    if (restart.length > 0 || otherValues.length > 0 || p.before?.version !== p.after?.version) {
      this.add(
        "disruptive",
        subject,
        `engine ${version} restarts (${list(shortPaths([...restart, ...otherValues]))}): Kubernetes replaces ${where(this.after, va)}; jobs using it there lose their engine while it restarts (the cache is kept)`,
      );
    } else if (changed.some((x) => MUTABLE_STS_PATHS.some((i) => x.startsWith(i)))) {
      this.add("safe", subject, `engine ${version}: the cache disk's retention policy changes (no restart)`);
    }
  }

  /** Whether the old deployment had any scale set (runners that a new engine could preempt). */
  private hadRunnersBefore(): boolean {
    return scaleSetBodies(this.before).length > 0;
  }

  private scaleSets(pairs: readonly ResourcePair[]): void {
    // The runs-on labels of a scale set: its name and scaleSetLabels, but not the name of a
    // multi-label set carrying aliases, `<exact label>-<hash>` (multiLabelScaleSetName).
    const labelsOf = (body: Body | undefined) => {
      const name = setNameOf(body);
      const extra = (helmValues(body).scaleSetLabels as string[] | undefined) ?? [];
      return extra.length > 1 && name === multiLabelScaleSetName(extra[0], extra.slice(1)) ? [...extra] : [name, ...extra];
    };
    const servedAfter = new Set(scaleSetBodies(this.after).flatMap((b) => labelsOf(b)));
    const servedBefore = new Set(scaleSetBodies(this.before).flatMap((b) => labelsOf(b)));
    // Engine releases a scale set depends on (its runners' engine) that the new deployment keeps.
    const releasesAfter = new Set(this.after.stacks.flatMap((st) => Object.keys(st.json.resource?.helm_release ?? {})));
    const engineStays = (body: Body | undefined) => {
      const deps = ((body?.depends_on as string[] | undefined) ?? []).filter((d) => d.startsWith("helm_release.")).map((d) => d.slice("helm_release.".length));
      const engines = deps.filter((d) => this.before.stacks.some((st) => st.json.resource?.helm_release?.[d]?.chart === ENGINE_CHART));
      return engines.length > 0 && engines.every((d) => releasesAfter.has(d));
    };
    const successors = (labels: readonly string[]) =>
      [...new Set(scaleSetBodies(this.after).filter((b) => labelsOf(b).some((l) => labels.includes(l))).map(setNameOf))].sort();
    const created: string[] = [];
    const drained: string[] = [];
    const newRunners: string[] = [];
    const listenerOnly: string[] = [];
    const listenerKeys = new Set<string>();
    const warmListeners: string[] = [];
    const draining: string[] = [];
    for (const p of pairs) {
      const c = p.change;
      // The labels it serves now (after a replacement, some may have moved to another scale set).
      const labels = labelsOf(p.before ?? p.after);
      const name = setNameOf(p.before ?? p.after);
      if (c.action === "create") {
        created.push(...labels.filter((l) => !servedBefore.has(l)));
        continue;
      }
      if (c.action === "delete") {
        const wasDrained = Number(helmValues(p.before).maxRunners) === 0;
        const gone = labels.filter((l) => !servedAfter.has(l));
        if (wasDrained) drained.push(name);
        else if (gone.length === 0 && engineStays(p.before)) {
          // A multi-label set whose labels change is a new set (ARC registers labels only at creation).
          this.add(
            "safe",
            `scale set ${name}`,
            `scale set ${name} gives way to ${list(successors(labels))}, which serve its labels (${list(labels)}) from this apply: ARC stops its listener and keeps its busy runners until their jobs end, and this apply waits for them (Helm uninstall, at most ${waitText(p.before)}); its engine stays`,
          );
        } else {
          this.add(
            "disruptive",
            `scale set ${name}`,
            `scale set ${name} is uninstalled without draining: its busy runners finish only if their engine stays${gone.length ? `; runs-on ${list(gone)} has no runners left (queued jobs wait until they time out)` : ""}`,
          );
        }
        continue;
      }
      if (c.action === "replace") {
        this.add(
          "disruptive",
          `scale set ${name}`,
          `scale set ${name} is replaced (forced by ${list(c.forcedBy)}): Helm uninstalls and reinstalls it; its labels (${list(labels)}) have no runners in between and jobs running on it are at risk`,
        );
        continue;
      }
      const vb = helmValues(p.before);
      const va = helmValues(p.after);
      const changed = differingPaths(vb, va);
      if (Number(va.maxRunners) === 0 && Number(vb.maxRunners) !== 0) draining.push(name);
      if (changed.some((x) => RUNNER_SET_SPEC_KEYS.some((k) => x === k || x.startsWith(`${k}.`)))) newRunners.push(name);
      else if (changed.length > 0 && !draining.includes(name)) {
        listenerOnly.push(name);
        if (Number(va.minRunners) > 0) warmListeners.push(name);
        for (const x of changed) listenerKeys.add(x.split(".")[0]);
      }
    }
    if (created.length) this.add("safe", "scale sets", `new runner labels: ${list(created)}`);
    if (drained.length) this.add("safe", "scale sets", `scale sets removed after draining: ${list(drained)} (check that none of their runners still runs a job)`);
    if (draining.length) this.add("safe", "scale sets", `draining: ${list(draining)} (no new jobs; running jobs finish)`);
    if (newRunners.length) {
      const how =
        this.updateStrategy === "eventual"
          ? "ARC (update strategy eventual) stops their listener, lets running and pending jobs finish, then starts runners with the new spec; new jobs for these labels wait meanwhile"
          : "ARC (update strategy immediate) starts runners with the new spec at once; busy old runners finish their jobs";
      this.add("safe", "scale sets", `new runner spec for ${list(newRunners)}: ${how}`);
    }
    if (listenerOnly.length) {
      // ListenerSpecHash covers the whole spec; without a listener, `eventual` creates one only
      // once no runner is running or pending (autoscalingrunnerset_controller.go `drainingJobs`).
      const wait =
        this.updateStrategy === "eventual"
          ? "; under update strategy eventual ARC recreates it only once the scale set has no running or pending runner, so new jobs wait for the running ones (and idle warm runners keep it down: actions-runner-controller issue 4432)"
          : "";
      this.add("safe", "scale sets", `${list(listenerOnly)}: only the listener restarts (${[...listenerKeys].sort().join(", ")} changed); runners keep running${wait}`);
      if (this.updateStrategy === "eventual" && warmListeners.length) {
        this.add(
          "disruptive",
          "scale sets",
          `${list(warmListeners)} keep idle runners (minRunners > 0): under update strategy eventual their listener is not recreated while those runners exist, so they stop taking jobs (actions-runner-controller issue 4432); deploy with arc.updateStrategy: immediate`,
        );
      }
    }
  }

  /** Labels whose engine changes (from the two plans). */
  private labelMoves(): void {
    const b = this.before.plan?.runnerLabels;
    const a = this.after.plan?.runnerLabels;
    if (!a || !b) return;
    const moves = new Map<string, string[]>();
    for (const [label, v] of Object.entries(a)) {
      if (b[label] !== undefined && b[label] !== v) {
        const key = `${b[label]} → ${v}`;
        moves.set(key, [...(moves.get(key) ?? []), label]);
      }
    }
    for (const [move, labels] of moves) this.add("safe", "labels", `${list(labels)} move to engine ${move.split(" → ")[1]} (from ${move.split(" → ")[0]})`);
  }

  private others(): void {
    for (const p of this.pairs) {
      const c = p.change;
      if (c.type === "kubernetes_priority_class_v1" && c.action === "replace") {
        this.add("safe", "engines", `the engines' PriorityClass is replaced (forced by ${list(c.forcedBy)}): running engines keep their priority, new engine pods get the new one`);
      }
      if (!c.analysed && c.action === "update") {
        this.add("safe", c.type, `${c.type}.${c.id} changes; whether that replaces it is not analysed here`);
      }
    }
  }
}

/** Compares two deployments. */
export function assessImpact(before: ImpactSide, after: ImpactSide): Impact {
  const pairs = diffResources(before.stacks, after.stacks);
  const a = new Assessor(before, after, pairs);
  a.run();
  const order = (f: Finding) => -RANK[f.severity];
  const findings = [...a.findings].sort((x, y) => order(x) - order(y));
  const verdict = findings.reduce<Severity>((w, f) => (RANK[f.severity] > RANK[w] ? f.severity : w), "safe");
  return { before: before.label, after: after.label, verdict, exitCode: EXIT_CODES[verdict], findings, resources: pairs.map((p) => p.change) };
}

/** Counts per action, for summaries. */
export function countActions(resources: readonly ResourceChange[]): Record<Action, number> {
  const n: Record<Action, number> = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const r of resources) n[r.action]++;
  return n;
}
