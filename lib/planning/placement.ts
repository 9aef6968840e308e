/**
 * Engine and runner placement on the GKE node pools: the nodeSelector and tolerations each
 * workload needs, derived from the cluster plan. Pure code (no cdktf import).
 *
 * - Runners run on the `runners` pool.
 * - Engines run on the tainted `engines` pool when there is one. Without it, DaemonSet engines
 *   run on every node that hosts runners (the runners pool and the gpu pool, whose taints they
 *   tolerate), so each runner finds an engine on its node; a StatefulSet engine runs on the
 *   runners pool.
 * - Runners of the gpu pool's size run on the gpu pool and tolerate its GPU taint. With GPU
 *   engines (`cluster.nodePools.gpu.engines`, the default) the GPU engines run there too, each
 *   requesting `engineGpus`, and those runners use them and request no GPU: Dagger functions run
 *   in the engine, so the engine is what needs the GPU, and a node's GPUs cannot be shared
 *   between pods. The normal DaemonSet engines then stay off the gpu pool. Without GPU engines
 *   the runners request the pool's GPUs (`accelerator.count`) and use the normal engine there.
 * - The ARC controller and the listener pods run on the `system` pool (there by default on target gke; else
 *   where the scheduler puts them: with `system: false`, the runners pool, the only untainted one), with
 *   `arc.nodeSelector`/`arc.tolerations` on top; lib/planning/arc-values.ts `listenerTemplate`
 *   turns that into the listeners' pod template.
 * - The engines' cache StorageClass does not depend on the pools: it is
 *   `dagger.engine.cache.storageClass`, else the cluster's default class. (An engines pool used
 *   to switch the default to `premium-rwo`; adding the pool then changed the StatefulSet's
 *   volumeClaimTemplates, which Kubernetes refuses.)
 */
import type { RunnersConfig } from "./input/schema";
import type { NodeTaint } from "./input/cluster";
import { ClusterPlan, NODE_POOL_LABEL, PoolKey, PoolPlan } from "./cluster";
import { PlanError } from "./errors";
import type { Toleration } from "./k8s-types";
import { GPU_RESOURCE } from "./engines";

/** Where a workload's pods may run. */
export interface Placement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

/** The runner size that runs on the gpu pool. */
export interface GpuSizePlacement extends Placement {
  /** Size name (label suffix), e.g. `gpu`. */
  readonly size: string;
  /** GPUs each runner pod requests (`nvidia.com/gpu` limit): 0 when GPU engines hold them. */
  readonly gpus: number;
  /** Resources to merge into the size's template: `limits: {"nvidia.com/gpu": "<n>"}`; none with GPU engines. */
  readonly resources?: { readonly limits: Readonly<Record<string, string>> };
  /** The runners of this size use the GPU engines (placed at {@link PlacementPlan.gpuEngines}). */
  readonly gpuEngines: boolean;
}

export interface PlacementPlan {
  /** Engine pods: the planned pools with `dagger.engine.nodeSelector`/`tolerations` on top. */
  readonly engines: Placement;
  /** Runner pods: the runners pool with `runners.nodeSelector`/`tolerations` on top. */
  readonly runners: Placement;
  /** Set when the cluster has a gpu pool. */
  readonly gpu?: GpuSizePlacement;
  /**
   * The ARC controller and its listener pods: the `system` pool when there is one, with
   * `arc.nodeSelector`/`tolerations` on top.
   */
  readonly arc: Placement;
  /** The controller and listeners have nodes of their own: a `system` pool, or an explicit `arc.nodeSelector`. */
  readonly arcIsolated: boolean;
  /** GPU engine pods: the gpu pool and its GPU taint (no `dagger.engine.nodeSelector`/`tolerations`). Set with GPU engines. */
  readonly gpuEngines?: Placement;
}

/** No constraint: the scheduler's choice (target `existing-cluster`). */
export const ANYWHERE: Placement = { nodeSelector: {}, tolerations: [] };

/** The toleration matching a taint. */
export function tolerationFor(t: NodeTaint): Toleration {
  return t.value === ""
    ? { key: t.key, operator: "Exists", effect: t.effect }
    : { key: t.key, operator: "Equal", value: t.value, effect: t.effect };
}

function uniqueTolerations(ts: readonly Toleration[]): Toleration[] {
  const seen = new Set<string>();
  return ts.filter((t) => {
    const k = JSON.stringify([t.key, t.operator, t.value, t.effect, t.tolerationSeconds]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const onPool = (p: PoolPlan): Placement => ({
  nodeSelector: { [NODE_POOL_LABEL]: p.name },
  tolerations: uniqueTolerations([...p.taints, ...p.implicitTaints].map(tolerationFor)),
});

/**
 * The pools the normal engines run on: the tainted `engines` pool when there is one; otherwise a
 * DaemonSet runs on every pool that hosts runners using them (runners, and gpu unless GPU
 * engines serve its runners) and a StatefulSet on the runners pool.
 */
export function enginePoolKeys(cluster: ClusterPlan, mode: RunnersConfig["dagger"]["engine"]["mode"]): PoolKey[] {
  const has = (key: PoolKey) => cluster.pools.some((p) => p.key === key);
  if (has("engines")) return ["engines"];
  if (mode === "statefulset") return ["runners"];
  const gpu = cluster.pools.find((p) => p.key === "gpu");
  return gpu && !gpu.gpuEngines ? ["runners", "gpu"] : ["runners"];
}

/**
 * Placement of engines and runners on the planned pools, with the config's explicit
 * nodeSelector and tolerations on top (explicit keys win, explicit tolerations are added). Throws {@link PlanError} when the
 * engines pool makes node-local engines unreachable (DaemonSet engines: runners use the engine
 * of their own node, and runners never run on the engines pool).
 */
export function planPlacement(config: RunnersConfig, cluster: ClusterPlan | undefined): PlacementPlan {
  const explicitArc = Object.keys(config.arc.nodeSelector ?? {}).length > 0;
  const explicit = (derived: Omit<PlacementPlan, "engines" | "runners" | "arc" | "arcIsolated"> & { engines: Placement; runners: Placement; arc: Placement }): PlacementPlan => ({
    ...derived,
    engines: mergePlacement(derived.engines, config.dagger.engine),
    runners: mergePlacement(derived.runners, config.runners),
    arc: mergePlacement(derived.arc, config.arc),
    arcIsolated: explicitArc || derived.arc !== ANYWHERE,
  });
  if (!cluster) return explicit({ engines: ANYWHERE, runners: ANYWHERE, arc: ANYWHERE });
  const pool = (key: PoolPlan["key"]) => cluster.pools.find((p) => p.key === key);
  const runnersPool = pool("runners");
  const enginesPool = pool("engines");
  const gpuPool = pool("gpu");
  const systemPool = pool("system");
  if (!runnersPool) throw new Error("planPlacement: the cluster plan has no runners pool");

  const mode = config.dagger.engine.mode;
  if (enginesPool && mode === "daemonset") {
    // Both DaemonSet transports (unix, and tcp through the node-local Service) are node-local.
    throw new PlanError(
      "dagger.engine.mode",
      mode,
      `conflicts with cluster.nodePools.engines: DaemonSet engines are node-local (runners use the engine of their own node), and runners never run on the dedicated engines pool (use mode statefulset with an engines pool)`,
    );
  }
  // One pool: pin to it; several (a DaemonSet on runners and gpu nodes): tolerate them all.
  const hosts = enginePoolKeys(cluster, mode).map((k) => pool(k)!);
  const engines: Placement =
    hosts.length === 1
      ? onPool(hosts[0])
      : { nodeSelector: {}, tolerations: uniqueTolerations(hosts.flatMap((p) => onPool(p).tolerations)) };

  let gpu: GpuSizePlacement | undefined;
  let gpuEngines: Placement | undefined;
  if (gpuPool?.accelerator && gpuPool.runnerSize) {
    if (gpuPool.gpuEngines) {
      gpu = { ...onPool(gpuPool), size: gpuPool.runnerSize, gpus: 0, gpuEngines: true };
      gpuEngines = onPool(gpuPool);
    } else {
      const gpus = gpuPool.accelerator.count;
      gpu = { ...onPool(gpuPool), size: gpuPool.runnerSize, gpus, resources: { limits: { [GPU_RESOURCE]: String(gpus) } }, gpuEngines: false };
    }
  }
  return explicit({ engines, runners: onPool(runnersPool), gpu, gpuEngines, arc: systemPool ? onPool(systemPool) : ANYWHERE });
}

/**
 * The derived placement with the user's explicit settings on top: explicit nodeSelector keys
 * win, explicit tolerations are added.
 */
export function mergePlacement(
  derived: Placement,
  explicit: { nodeSelector?: Readonly<Record<string, string>>; tolerations?: readonly Toleration[] },
): Placement {
  return {
    nodeSelector: { ...derived.nodeSelector, ...(explicit.nodeSelector ?? {}) },
    tolerations: uniqueTolerations([...derived.tolerations, ...(explicit.tolerations ?? [])]),
  };
}
