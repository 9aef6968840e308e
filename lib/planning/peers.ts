/**
 * Deployments side by side (staging beside prod): what two deployments must not share, from
 * their configs and plans. Pure code; lib/config/load.ts reads the peer configs (`peers`).
 */
import type { RunnersConfig } from "./input/schema";
import type { DeploymentPlan } from "./deployment";
import type { Path, Problem } from "./rules";

/** What a deployment claims outside itself: on GitHub, in Terraform and in a cluster. */
export interface DeploymentClaims {
  readonly name: string;
  /** GitHub registration URL, lower case without a trailing slash. */
  readonly githubScope: string;
  readonly runnerGroup: string;
  /** `runnerScaleSetName` of every scale set. */
  readonly scaleSets: readonly string[];
  /** The cluster: `gke <project>/<location>/<name>` or `kubeconfig <path> <context>`. */
  readonly cluster: string;
}

export function deploymentClaims(config: RunnersConfig, plan: DeploymentPlan): DeploymentClaims {
  const k = config.kubernetes;
  return {
    name: plan.name,
    githubScope: config.github.configUrl.toLowerCase().replace(/\/+$/, ""),
    runnerGroup: config.github.runnerGroup,
    scaleSets: plan.runners.scaleSets.map((s) => s.name),
    cluster: plan.cluster
      ? `gke ${plan.cluster.projectId}/${plan.cluster.location}/${plan.cluster.name}`
      : `kubeconfig ${k.configPath} ${k.context ?? "(current context)"}`,
  };
}

/**
 * Why `me` and `peer` (the config file `peerFile`, at `at`) cannot both be deployed:
 * - the same name: the same Terraform stack names (`<name>-runners`) and engine releases;
 * - the same cluster: ARC's CRDs and controller are cluster-wide (each deployment installs the
 *   CRDs as its Helm release `arc-crds`, which Helm refuses to take over from another release,
 *   and a controller reconciles the AutoscalingRunnerSets of every namespace), and a GKE
 *   deployment creates its cluster;
 * - a scale-set name in the same runner group of the same GitHub scope: ARC looks the scale set
 *   up by runner group and name and reuses one that exists (actions-runner-controller
 *   gha-runner-scale-set-0.14.2, `autoscalingrunnerset_controller.go` `createRunnerScaleSet`:
 *   `GetRunnerScaleSet(ctx, runnerGroupID, name)`, "Created/Reused"), so both deployments'
 *   listeners would share one scale set and its jobs.
 * The first is reported.
 */
export function peerProblems(me: DeploymentClaims, peer: DeploymentClaims, peerFile: string, at: Path): Problem[] {
  if (peer.name === me.name) {
    return [{ path: at, value: peerFile, message: `is named "${peer.name}" too (the stacks ${me.name}-runners and the engine releases would be the same; set name to tell them apart)` }];
  }
  if (peer.cluster === me.cluster) {
    return [
      {
        path: at,
        value: peerFile,
        message: `deploys to the same cluster (${me.cluster}); one deployment per cluster: ARC's CRDs and controller are cluster-wide (deploy staging to its own cluster)`,
      },
    ];
  }
  if (peer.githubScope === me.githubScope && peer.runnerGroup === me.runnerGroup) {
    const shared = me.scaleSets.filter((s) => peer.scaleSets.includes(s));
    if (shared.length > 0) {
      return [
        {
          path: at,
          value: peerFile,
          message: `registers scale set "${shared[0]}"${shared.length > 1 ? ` (and ${shared.length - 1} more)` : ""} in runner group "${me.runnerGroup}" of ${me.githubScope} too (ARC would reuse one scale set for both; set runners.labelPrefix, e.g. "dagger-staging", or github.runnerGroup)`,
        },
      ];
    }
  }
  return [];
}
