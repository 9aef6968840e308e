/**
 * Deployments side by side (staging beside prod): what two deployments must not share, from
 * their configs and plans. Pure code; lib/config/load.ts reads the peer configs (`peers`).
 */
import type { RunnersConfig } from "./input/schema";
import type { DeploymentPlan } from "./deployment";
import { formatPath } from "./errors";
import { enginePriorityClassName } from "./names";
import { type Path, type Problem, watchedByValues } from "./rules";

/** What a deployment claims outside itself: on GitHub, in Terraform and in a cluster. */
export interface DeploymentClaims {
  readonly name: string;
  /** GitHub registration URL, lower case without a trailing slash. */
  readonly githubScope: string;
  readonly runnerGroup: string;
  /** `runnerScaleSetName` of every scale set. */
  readonly scaleSets: readonly string[];
  /** The cluster: `gke <project>/<location>/<name>` or `kubeconfig <path> <context>` (see {@link clusterIdentity}). */
  readonly cluster: string;
  /** It creates its cluster (target `gke`). */
  readonly createsCluster: boolean;
  /** Its namespaces, each with the key that sets it. */
  readonly namespaces: readonly { readonly path: Path; readonly value: string }[];
  readonly arcVersion: string;
  /** It installs ARC's CRDs (`arc.installCrds`). */
  readonly installsCrds: boolean;
  /** Its controller watches only its runners namespace (`arc.watchSingleNamespace`, or the same through `arc.controllerValues`). */
  readonly singleNamespace: boolean;
  /** The PriorityClass it creates, if any. */
  readonly priorityClass?: string;
}

/**
 * The kubeconfig context name `gcloud container clusters get-credentials` writes:
 * `gke_<project>_<location>_<cluster>` (Google Cloud SDK `googlecloudsdk/api_lib/container/util.py`,
 * `ClusterConfig.KUBECONTEXT_FORMAT = 'gke_{project}_{zone}_{cluster}'`, the zone being the
 * cluster's location). Project IDs, locations and cluster names hold no `_`.
 */
const GKE_CONTEXT = /^gke_([a-z][-a-z0-9.:]*)_([a-z0-9-]+)_([a-z][-a-z0-9]*)$/;

/**
 * Which cluster a deployment deploys to, comparable across configs: `gke <project>/<location>/<name>`
 * for target `gke` and for a kubeconfig context named the way gcloud names it, otherwise
 * `kubeconfig <path> <context>` as written. It cannot tell that two different contexts (or
 * kubeconfig paths written differently) reach one cluster, nor that a context of another name
 * reaches a GKE cluster: such pairs pass as different clusters (docs/runners.md).
 */
export function clusterIdentity(config: RunnersConfig, plan: DeploymentPlan): string {
  if (plan.cluster) return `gke ${plan.cluster.projectId}/${plan.cluster.location}/${plan.cluster.name}`;
  const k = config.kubernetes;
  const gke = k.context ? GKE_CONTEXT.exec(k.context) : null;
  if (gke) return `gke ${gke[1]}/${gke[2]}/${gke[3]}`;
  return `kubeconfig ${k.configPath} ${k.context ?? "(current context)"}`;
}

export function deploymentClaims(config: RunnersConfig, plan: DeploymentPlan): DeploymentClaims {
  const pc = config.dagger.engine.priorityClass;
  return {
    name: plan.name,
    githubScope: config.github.configUrl.toLowerCase().replace(/\/+$/, ""),
    runnerGroup: config.github.runnerGroup,
    scaleSets: plan.runners.scaleSets.map((s) => s.name),
    cluster: clusterIdentity(config, plan),
    createsCluster: plan.cluster !== undefined,
    namespaces: [
      { path: ["arc", "namespace"], value: config.arc.namespace },
      { path: ["runners", "namespace"], value: config.runners.namespace },
      { path: ["dagger", "engine", "namespace"], value: config.dagger.engine.namespace },
    ],
    arcVersion: config.arc.version,
    installsCrds: config.arc.installCrds,
    singleNamespace: config.arc.watchSingleNamespace || watchedByValues(config.arc.controllerValues) === config.runners.namespace,
    priorityClass: pc.create ? enginePriorityClassName(plan.name, pc.name) : undefined,
  };
}

/** A peer deployment: its claims, its config file as written in `peers` and where (`peers[i]`). */
export interface Peer {
  readonly claims: DeploymentClaims;
  readonly file: string;
  readonly at: Path;
}

/** What each namespace key holds, for a suggested name of this deployment's own. */
const NAMESPACE_ROLE: Record<string, string> = { "arc.namespace": "arc", "runners.namespace": "runners", "dagger.engine.namespace": "engines" };

/**
 * Why `me` cannot be deployed beside `peers`, first problem first:
 * - the same name: the same Terraform stacks (`<name>-runners`) and engine releases;
 * - a scale-set name in the same runner group of the same GitHub scope: ARC looks the scale set
 *   up by runner group and name and reuses one that exists (actions-runner-controller
 *   gha-runner-scale-set-0.14.2, `autoscalingrunnerset_controller.go` `createRunnerScaleSet`:
 *   `GetRunnerScaleSet(ctx, runnerGroupID, name)`, "Created/Reused"), so both deployments'
 *   listeners would share one scale set and its jobs;
 * - on the same cluster ({@link clusterIdentity}):
 *   - both create it (target `gke`);
 *   - a controller watching every namespace: it would reconcile the other deployment's scale
 *     sets too, and two such controllers (release `arc`) render the same ClusterRole and
 *     ClusterRoleBinding `arc-gha-rs-controller` (gha-runner-scale-set-controller 0.14.2
 *     `templates/manager_cluster_role.yaml`, `_helpers.tpl` `managerClusterRoleName`: the
 *     fullname). With `flags.watchSingleNamespace` the chart renders only namespaced objects;
 *   - a namespace of both: the same-named objects in it (`github-config`, `runners`, the
 *     listeners, ...);
 *   - another `arc.version`: the CRDs are cluster-wide, installed once, at one version; the
 *     controllers and scale sets of both must be the version those CRDs were generated for
 *     (the API server drops the fields a CRD does not declare, e.g. 0.14's
 *     `spec.autoscalingListener` and `spec.ephemeralRunnerMetadata` of an AutoscalingRunnerSet
 *     under 0.13.1's CRDs: gha-runner-scale-set-controller 0.13.1 and 0.14.2 `crds/`);
 *   - not exactly one of them installing ARC's CRDs (`arc.installCrds`): with two, each
 *     `arc-crds` release takes the CRDs over from the other (`take_ownership`) and each upgrade
 *     rewrites them; with none, nothing does;
 *   - one PriorityClass name created by both.
 * `me` with `arc.installCrds: false` and peers, none on its cluster, is refused as well: the
 * deployment that installs its CRDs is not among them (or its cluster is not recognised as the
 * same).
 */
export function peerProblems(me: DeploymentClaims, peers: readonly Peer[]): Problem[] {
  const out: Problem[] = [];
  const which = (p: Peer) => `${formatPath(p.at)} "${p.file}"`;
  for (const p of peers) {
    const peer = p.claims;
    if (peer.name === me.name) {
      out.push({ path: p.at, value: p.file, message: `is named "${peer.name}" too (the stacks ${me.name}-runners and the engine releases would be the same; set name to tell them apart)` });
      continue;
    }
    if (peer.cluster === me.cluster) out.push(...sameClusterProblems(me, p, which(p)));
    if (peer.githubScope === me.githubScope && peer.runnerGroup === me.runnerGroup) {
      const shared = me.scaleSets.filter((s) => peer.scaleSets.includes(s));
      if (shared.length > 0) {
        out.push({
          path: p.at,
          value: p.file,
          message: `registers scale set "${shared[0]}"${shared.length > 1 ? ` (and ${shared.length - 1} more)` : ""} in runner group "${me.runnerGroup}" of ${me.githubScope} too (ARC would reuse one scale set for both; set runners.labelPrefix, e.g. "dagger-staging", or github.runnerGroup)`,
        });
      }
    }
  }
  // ARC's CRDs: exactly one deployment on the cluster installs them.
  const beside = peers.filter((p) => p.claims.cluster === me.cluster && p.claims.name !== me.name);
  const installers = beside.filter((p) => p.claims.installsCrds);
  if (beside.length > 0) {
    if (me.installsCrds && installers.length > 0) {
      out.push({
        path: ["arc", "installCrds"],
        value: true,
        message: `but ${which(installers[0])} installs ARC's CRDs on the same cluster (${me.cluster}) too: exactly one deployment on a cluster installs them (set arc.installCrds: false in one of the two)`,
      });
    } else if (!me.installsCrds && installers.length > 1) {
      out.push({
        path: installers[1].at,
        value: installers[1].file,
        message: `installs ARC's CRDs on cluster ${me.cluster}, as ${which(installers[0])} does: exactly one deployment on a cluster installs them (set arc.installCrds: false in one of the two)`,
      });
    } else if (!me.installsCrds && installers.length === 0) {
      out.push({
        path: ["arc", "installCrds"],
        value: false,
        message: `but no deployment on cluster ${me.cluster} installs ARC's CRDs (${beside.map((p) => `${which(p)} has arc.installCrds: false`).join(", ")}): exactly one must (set it true here or in that peer)`,
      });
    }
  } else if (!me.installsCrds && peers.length > 0) {
    out.push({
      path: ["arc", "installCrds"],
      value: false,
      message: `but none of peers deploys to this cluster (${me.cluster}), so nothing installs ARC's CRDs here: list the deployment that does (on target gke its cluster, otherwise the same kubeconfig path and context or a gke_<project>_<location>_<cluster> context)`,
    });
  }
  return out;
}

/** The rules for `me` beside `p` on one cluster; `which` names the peer. */
function sameClusterProblems(me: DeploymentClaims, p: Peer, which: string): Problem[] {
  const peer = p.claims;
  const out: Problem[] = [];
  const on = `on the same cluster (${me.cluster})`;
  if (me.createsCluster && peer.createsCluster) {
    const [project, location, name] = me.cluster.replace(/^gke /, "").split("/");
    out.push({
      path: ["target"],
      value: "gke",
      message: `creates cluster ${me.cluster}, which ${which} creates too: deploy beside it with target: existing-cluster and kubernetes.context: gke_${project}_${location}_${name}`,
    });
    return out;
  }
  if (!me.singleNamespace) {
    out.push({
      path: ["arc", "watchSingleNamespace"],
      value: false,
      message: `but ${which} deploys ${on}: set it true in both, so each ARC controller reconciles only its own runners namespace (a cluster-wide controller reconciles every deployment's scale sets, and two render the same ClusterRole arc-gha-rs-controller)`,
    });
  } else if (!peer.singleNamespace) {
    out.push({
      path: p.at,
      value: p.file,
      message: `deploys ${on} with a controller watching every namespace: set arc.watchSingleNamespace: true there too (it would reconcile this deployment's scale sets as well)`,
    });
  }
  for (const n of me.namespaces) {
    const clash = peer.namespaces.find((x) => x.value === n.value);
    if (!clash) continue;
    const key = formatPath(n.path);
    out.push({
      path: n.path,
      value: n.value,
      message: `is ${formatPath(clash.path)} of ${which} ${on} too: each deployment needs namespaces of its own (e.g. "${me.name}-${NAMESPACE_ROLE[key]}")`,
    });
  }
  if (peer.arcVersion !== me.arcVersion) {
    out.push({
      path: ["arc", "version"],
      value: me.arcVersion,
      message: `differs from ${which}'s "${peer.arcVersion}" ${on}: ARC's CRDs are cluster-wide, at one version, so both deployments run the same arc.version (upgrade them together, the one that installs the CRDs first)`,
    });
  }
  if (me.priorityClass !== undefined && me.priorityClass === peer.priorityClass) {
    out.push({
      path: ["dagger", "engine", "priorityClass", "name"],
      value: me.priorityClass,
      message: `is created by ${which} ${on} too: set another name, or create: false to use that class`,
    });
  }
  return out;
}
