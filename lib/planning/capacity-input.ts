/**
 * The capacity plan's input from a validated config: node pools from the cluster plan (target
 * gke) or `kubernetes.nodes` (existing-cluster), where engines and each size run, and the
 * requests the scheduler sees. Pure.
 */
import type { ScaleSetPlan } from "./labels";
import type { RunnersConfig } from "./input/schema";
import type { ClusterPlan, PoolKey } from "./cluster";
import type { CapacityInput, PoolInput, SizeInput } from "./capacity";
import { enginePoolKeys } from "./placement";
import { formatPath } from "./errors";
import { RequestList, ZERO, schedulingRequests } from "./quantity";

/**
 * Builds the {@link CapacityInput} of a config from its cluster plan (target gke) or
 * `kubernetes.nodes` (existing-cluster). Returns undefined when there is nothing to plan against
 * (existing-cluster without `kubernetes.nodes`): the plan then has no capacity.
 */
export function capacityInputFromConfig(
  config: RunnersConfig,
  sizes: Readonly<Record<string, { readonly requests?: RequestList; readonly limits?: RequestList } | undefined>>,
  scaleSets: readonly ScaleSetPlan[],
  engines: readonly { readonly version: string; readonly releaseName: string }[],
  cluster: ClusterPlan | undefined,
): CapacityInput | undefined {
  const mode = config.dagger.engine.mode;
  const pools: PoolInput[] = [];
  let runnerPool: string;
  let enginePools: string[];
  let gpu: { pool: string; size: string } | undefined;
  if (!cluster) {
    const n = config.kubernetes.nodes;
    if (!n) return undefined;
    pools.push({
      name: "nodes",
      path: "kubernetes.nodes",
      cpu: n.cpu,
      memory: n.memory,
      sizeIs: "allocatable",
      systemPods: ZERO,
      maxPods: n.maxPods,
      maxNodes: n.count,
      maxNodesPath: "kubernetes.nodes.count",
      spot: n.spot,
    });
    runnerPool = "nodes";
    enginePools = ["nodes"];
  } else {
    for (const p of cluster.pools) {
      const explicit = config.cluster.nodePools[p.key];
      pools.push({
        name: p.name,
        path: p.configPath,
        machineType: p.machineType,
        cpu: explicit?.cpu,
        memory: explicit?.memory,
        gpus: p.accelerator?.count,
        minNodes: p.minNodes,
        maxNodes: p.maxNodes,
        spot: p.spot,
      });
    }
    const nameOf = (key: PoolKey) => cluster.pools.find((p) => p.key === key)!.name;
    runnerPool = nameOf("runners");
    // Where the engines run: the same rule as the placement (lib/planning/placement.ts).
    enginePools = enginePoolKeys(cluster, mode).map(nameOf);
    const g = cluster.pools.find((p) => p.key === "gpu");
    if (g?.runnerSize) gpu = { pool: g.name, size: g.runnerSize };
  }

  const sizeInputs: SizeInput[] = Object.entries(sizes).map(([name, s]) => ({
    name,
    pool: gpu && gpu.size === name ? gpu.pool : runnerPool,
    requests: schedulingRequests(s),
    path: formatPath(["runners", "sizes", name, "requests"]),
  }));
  const requests = schedulingRequests(config.dagger.engine.resources);
  return {
    mode,
    pools,
    engines: engines.map((e) => ({ version: e.version, releaseName: e.releaseName, pools: enginePools, requests, path: "dagger.engine.resources.requests" })),
    sizes: sizeInputs,
    scaleSets,
    paths: { maxRunners: "runners.maxRunners" },
  };
}
