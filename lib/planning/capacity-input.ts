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
import { GPU_RESOURCE } from "./engines";
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
  /** The GPU engines (lib/planning/gpu-engines.ts), on the gpu pool. @default none */
  gpuEngines: readonly { readonly version: string; readonly releaseName: string }[] = [],
): CapacityInput | undefined {
  const mode = config.dagger.engine.mode;
  const pools: PoolInput[] = [];
  let runnerPool: string;
  let enginePools: string[];
  // The gpu pool's size: runners there request the pool's GPUs, or none when GPU engines hold them.
  let gpu: { pool: string; size: string; runnerGpus: number; engineGpus: number } | undefined;
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
    if (g?.runnerSize) {
      const engineGpus = g.gpuEngines?.gpus ?? 0;
      gpu = { pool: g.name, size: g.runnerSize, runnerGpus: g.gpuEngines ? 0 : (g.accelerator?.count ?? 0), engineGpus };
    }
  }

  const onGpu = (name: string) => gpu !== undefined && gpu.size === name;
  const sizeInputs: SizeInput[] = Object.entries(sizes).map(([name, s]) => {
    // The runner template gets `nvidia.com/gpu` as a limit (lib/planning/placement.ts), which is
    // its request, unless the size sets its own.
    const own = schedulingRequests(s);
    const gpus = onGpu(name) && gpu!.runnerGpus > 0 && own[GPU_RESOURCE] === undefined ? { [GPU_RESOURCE]: gpu!.runnerGpus } : {};
    return { name, pool: onGpu(name) ? gpu!.pool : runnerPool, requests: { ...own, ...gpus }, path: formatPath(["runners", "sizes", name, "requests"]) };
  });
  const requests = schedulingRequests(config.dagger.engine.resources);
  const path = "dagger.engine.resources.requests";
  // With GPU engines, the gpu size's scale sets use them and the other sizes the normal engines.
  const gpuSizes = gpu && gpuEngines.length > 0 ? [gpu.size] : [];
  const otherSizes = gpuSizes.length > 0 ? Object.keys(sizes).filter((n) => !gpuSizes.includes(n)) : undefined;
  return {
    mode,
    pools,
    engines: [
      ...engines.map((e) => ({ version: e.version, releaseName: e.releaseName, pools: enginePools, requests, path, sizes: otherSizes })),
      ...(gpuSizes.length > 0
        ? gpuEngines.map((e) => ({
            version: e.version,
            releaseName: e.releaseName,
            pools: [gpu!.pool],
            requests: { ...requests, [GPU_RESOURCE]: gpu!.engineGpus },
            path,
            sizes: gpuSizes,
            gpuPath: "cluster.nodePools.gpu.engineGpus",
          }))
        : []),
    ],
    sizes: sizeInputs,
    scaleSets,
    paths: { maxRunners: "runners.maxRunners" },
  };
}
