/**
 * GPU engines: where the cluster has a gpu node pool with `cluster.nodePools.gpu.engines` (the
 * default), every engine version gets a second engine on that pool, and the runners of the
 * pool's size use it. Pure code (no cdktf import).
 *
 * Why the engine: Dagger functions, and every `withExec` they run, execute inside the engine,
 * not in the runner pod, so a GPU in the runner pod is of no use to a pipeline. The GPU engine
 * (dagger/dagger at v0.20.3) is:
 * - the GPU variant of the engine image, `registry.dagger.io/engine:v<version>-gpu` (Wolfi with
 *   `nvidia-driver` and `nvidia-tools`, `toolchains/engine-dev/build/builder.go`);
 * - `_EXPERIMENTAL_DAGGER_GPU_SUPPORT` set, without which an exec given GPUs fails
 *   (`core/container_exec.go`);
 * - the node's GPUs: a container given GPUs (`experimentalWithAllGPUs` is device `all`,
 *   `core/schema/container.go`) gets the OCI prestart hook `/usr/bin/nvidia-container-runtime-hook`
 *   and `NVIDIA_VISIBLE_DEVICES=<devices>` (`engine/buildkit/executor_spec.go` `enableGPU`), so
 *   the NVIDIA Container Toolkit inside the engine image injects the devices and driver
 *   libraries it finds in the engine container. On GKE the engine pod gets them by requesting
 *   `nvidia.com/gpu` (GKE's device plugin; the driver comes from the node pool's
 *   `gpu_driver_installation_config`, lib/constructs/gke-node-pools.ts). docs/engines.md lists
 *   what must still be checked on a real GPU node.
 */
import type { EngineConnectionSpec } from "../engine-spec";
import type { ClusterPlan } from "./cluster";
import { EngineLayerPlan, planEngineTransports } from "./engine-layer";
import { gpuEngineResources } from "./engine-values";
import { EngineNames, planEngineNames } from "./engines";
import type { RunnersConfig } from "./input/schema";
import type { ResourceRequirements } from "./k8s-types";
import type { RunnerPlan } from "./labels";
import type { ArtifactPlan } from "./mirrors";
import type { Placement, PlacementPlan } from "./placement";
import { engineObjectNamesRule, throwFirst } from "./rules";

/** The GPU engines of a deployment, every default resolved. */
export interface GpuEnginePlan {
  /** The gpu node pool's name. */
  readonly pool: string;
  /** Its config key path, `cluster.nodePools.gpu`. */
  readonly configPath: string;
  /** The runner size whose scale sets use the GPU engines (`cluster.nodePools.gpu.runnerSize`). */
  readonly size: string;
  /** GPUs each GPU engine requests (`engineGpus`, default the accelerator count). */
  readonly gpus: number;
  /** One GPU engine per engine version: release `<name>-v<version>-gpu`. */
  readonly engines: readonly EngineNames[];
  /** Where the GPU engine pods run: the gpu pool, tolerating its GPU taint. */
  readonly placement: Placement;
  /** The engine container's resources: `dagger.engine.resources` plus `nvidia.com/gpu` (request and limit). */
  readonly resources: ResourceRequirements;
  /** Image of each GPU engine, by version. */
  readonly images: Readonly<Record<string, string>>;
  /** How the runners of {@link size} reach each GPU engine, by version. */
  readonly transports: Readonly<Record<string, EngineConnectionSpec>>;
  /** The scale sets whose runners use a GPU engine (`runnerScaleSetName`s): those of {@link size}. */
  readonly scaleSets: readonly string[];
  /** Their `runs-on` labels. */
  readonly labels: readonly string[];
}

/** The GPU engines, or undefined when the cluster has none (no gpu pool, or `engines: false`). */
export function planGpuEngines(
  config: RunnersConfig,
  cluster: ClusterPlan | undefined,
  runners: RunnerPlan,
  layer: EngineLayerPlan,
  artifacts: ArtifactPlan,
  placement: PlacementPlan,
): GpuEnginePlan | undefined {
  const pool = cluster?.pools.find((p) => p.key === "gpu");
  if (!pool?.gpuEngines || !placement.gpuEngines || !placement.gpu) return undefined;
  const engines = planEngineNames(config.name, runners.versions, layer.mode, {}, { gpu: true });
  throwFirst(engineObjectNamesRule(engines, layer.transport, () => ({ path: ["name"], value: config.name })));
  const size = placement.gpu.size;
  const scaleSets = runners.scaleSets.filter((s) => s.size === size);
  return {
    pool: pool.name,
    configPath: pool.configPath,
    size,
    gpus: pool.gpuEngines.gpus,
    engines,
    placement: placement.gpuEngines,
    resources: gpuEngineResources(config.dagger.engine.resources, pool.gpuEngines.gpus),
    images: artifacts.gpuEngineImages,
    transports: planEngineTransports(config, engines, layer, artifacts, { images: artifacts.gpuEngineImages, placement: placement.gpuEngines }),
    scaleSets: scaleSets.map((s) => s.name),
    labels: scaleSets.flatMap((s) => s.labels),
  };
}
