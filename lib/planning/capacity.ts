/**
 * Capacity planning: what a config will really do on its nodes, before anything is deployed.
 * Pure code (no cdktf import), written against the explicit {@link CapacityInput} so it is
 * testable on its own; `capacityInputFromConfig` (lib/planning/capacity-input.ts) adapts a
 * validated config to it.
 *
 * Model (per node pool):
 *   node allocatable = machine capacity - GKE reservations - eviction threshold
 *                      (machine-types.ts, with sources), or the explicit `cpu`/`memory`
 *   free per node    = allocatable - GKE system DaemonSets (an assumption, machine-types.ts)
 *                      - every DaemonSet engine (all versions run on every node of the pool)
 *   runners per node = min over cpu and memory of floor(free / size requests), capped by the
 *                      pod limit per node
 *   StatefulSet engines sit on one node each (first fit, largest first); the pool's runner
 *   concurrency at `maxNodes` counts what is left on those nodes plus the empty nodes.
 * Engines never preempt runners (their PriorityClass has `preemptionPolicy: Never`), so the plan
 * is what keeps room for them: runner room is only what is left after every engine that runs on
 * the node, and a config where the engines plus one runner do not fit is refused.
 * Per engine: the worst case is every scale set routing to it (exact, minor alias and latest
 * labels, each its own scale set under `per-label`) at `maxRunners` at once.
 */
import type { ScaleSetPlan } from "./labels";
import { PlanError } from "./errors";
import {
  RequestList,
  Resources,
  ZERO,
  add,
  cpuMillis,
  memoryMiB,
  describeResources,
  fits,
  formatMiB,
  formatMillis,
  podsThatFit,
  sub,
  toResources,
} from "./quantity";

import { GKE_SYSTEM_DAEMONSETS, gkeAllocatable, machineShape } from "./machine-types";

export interface PoolInput {
  /** Pool name as shown in the report, e.g. `runners`. */
  readonly name: string;
  /** Config key path of the pool (errors and warnings name it), e.g. `cluster.nodePools.runners`. */
  readonly path: string;
  /** Compute Engine machine type; looked up in the machine table. @default undefined */
  readonly machineType?: string;
  /** Explicit vCPUs per node (quantity); wins over the table. @default from machineType */
  readonly cpu?: string | number;
  /** Explicit memory per node (quantity); wins over the table. @default from machineType */
  readonly memory?: string | number;
  /** GPUs per node. @default from machineType, else 0 */
  readonly gpus?: number;
  /**
   * `capacity`: cpu/memory are the machine's size and GKE's reservations are subtracted;
   * `allocatable`: cpu/memory are already what the kubelet reports as allocatable.
   * @default "capacity"
   */
  readonly sizeIs?: "capacity" | "allocatable";
  /** Requests of the platform's own DaemonSets per node. @default GKE_SYSTEM_DAEMONSETS */
  readonly systemPods?: Resources;
  /** Most pods per node (GKE Standard default 110). @default 110 */
  readonly maxPods?: number;
  /** @default 0 */
  readonly minNodes?: number;
  readonly maxNodes: number;
  /** Config key path of {@link maxNodes}, named in errors and warnings. @default `<path>.maxNodes` */
  readonly maxNodesPath?: string;
  /** Spot or preemptible VMs. @default false */
  readonly spot?: boolean;
}

export interface EngineInput {
  readonly version: string;
  readonly releaseName: string;
  /**
   * Pools the engine runs on: every node of each (DaemonSet), or the first only (StatefulSet,
   * one pod).
   */
  readonly pools: readonly string[];
  readonly requests: RequestList;
  /** Config key path of the engine's requests, e.g. `dagger.engine.resources.requests`. */
  readonly path: string;
  /** Runner sizes whose scale sets use this engine. @default every size */
  readonly sizes?: readonly string[];
  /** Config key path of its `nvidia.com/gpu` request, named when the GPUs do not fit. @default path */
  readonly gpuPath?: string;
}

export interface SizeInput {
  /** Size name (`""` = unsuffixed). */
  readonly name: string;
  /** Pool its runner pods run on. */
  readonly pool: string;
  readonly requests: RequestList;
  /** Config key path of the size's requests, e.g. `runners.sizes.large.requests`. */
  readonly path: string;
}

export interface CapacityInput {
  readonly mode: "daemonset" | "statefulset";
  readonly pools: readonly PoolInput[];
  readonly engines: readonly EngineInput[];
  readonly sizes: readonly SizeInput[];
  /** The label plan's scale sets (version, size, kind, maxRunners). */
  readonly scaleSets: readonly ScaleSetPlan[];
  /** What an engine needs to start. @default ENGINE_START_MINIMUM */
  readonly engineMinimum?: Resources;
  /** Key paths used in messages. */
  readonly paths?: { maxRunners?: string };
}

/**
 * Below these requests the engine is scheduled onto nodes that cannot actually run it (it is
 * OOM-killed while loading its cache, or starved while pulling). ASSUMPTION of this project,
 * not an upstream figure: the Dagger chart sets no default requests.
 */
export const ENGINE_START_MINIMUM: Resources = { cpuMillis: 250, memoryMiB: 1024 };
/** GKE Standard's default maximum pods per node. */
export const DEFAULT_MAX_PODS = 110;
/** Pods of the GKE system DaemonSets per node (see GKE_SYSTEM_DAEMONSETS). */
const SYSTEM_POD_COUNT = 10;

export interface PoolCapacity {
  readonly name: string;
  readonly path: string;
  readonly machineType?: string;
  /** Where the node size came from. */
  readonly source: "machine-table" | "explicit";
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly spot: boolean;
  /** Per node: machine size, allocatable, system DaemonSets, DaemonSet engines, free for runners. */
  readonly node: {
    readonly capacity?: Resources;
    readonly allocatable: Resources;
    readonly system: Resources;
    readonly daemonSetEngines: Resources;
    readonly free: Resources;
  };
  /** Engine versions running as a DaemonSet on every node of the pool. */
  readonly daemonSetEngines: readonly string[];
  /** Engine versions whose StatefulSet pod sits in this pool. */
  readonly statefulSetEngines: readonly string[];
  /** Nodes the StatefulSet engines occupy (first fit). */
  readonly engineNodes: number;
  /** Size name -> runner pods of that size that fit on an empty node. */
  readonly runnersPerNode: Readonly<Record<string, number>>;
  /** Size name -> runner pods of that size the pool holds at `maxNodes` (that size alone). */
  readonly maxRunnersAtMax: Readonly<Record<string, number>>;
  /** Runners the scale sets on this pool may ask for at once (sum of `maxRunners`). */
  readonly demand: number;
  /** Runner pods the pool holds at `maxNodes` for the configured mix of sizes. */
  readonly capacity: number;
  /** Idle runners the scale sets on this pool keep at the busiest minute (`minRunners`, raised by `runners.schedules`). */
  readonly warmRunners: number;
  /** Runner pods the pool holds at `maxNodes` for the mix of those idle runners. */
  readonly warmCapacity: number;
}

export interface EngineCapacity {
  readonly version: string;
  readonly releaseName: string;
  readonly mode: "daemonset" | "statefulset";
  readonly pools: readonly string[];
  readonly requests: Resources;
  /** Scale sets routing to this engine (exact and aliases). */
  readonly scaleSets: number;
  /** Every one of them at `maxRunners`. */
  readonly worstCaseRunners: number;
  /** Runner pods of those sizes the pools can hold at max nodes. */
  readonly poolCapacity: number;
}

export interface CapacityPlan {
  readonly pools: readonly PoolCapacity[];
  readonly engines: readonly EngineCapacity[];
  readonly warnings: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// The plan

export interface NodeSize {
  readonly capacity?: Resources;
  readonly allocatable: Resources;
  readonly source: "machine-table" | "explicit";
}

function nodeSize(p: PoolInput): NodeSize {
  const shape = p.machineType ? machineShape(p.machineType) : undefined;
  if (p.cpu === undefined && p.memory === undefined && !shape) {
    if (p.machineType) {
      throw new PlanError(
        `${p.path}.machineType`,
        p.machineType,
        `is not in the capacity planner's machine table; give ${p.path}.cpu and ${p.path}.memory (the machine's vCPUs and memory, e.g. 8 and 32Gi)`,
      );
    }
    throw new PlanError(p.path, undefined, "needs a machineType, or cpu and memory per node");
  }
  if ((p.cpu === undefined) !== (p.memory === undefined) && !shape) {
    const missing = p.cpu === undefined ? "cpu" : "memory";
    throw new PlanError(`${p.path}.${missing}`, undefined, `is required with ${p.path}.${missing === "cpu" ? "memory" : "cpu"} (give both)`);
  }
  const cpu = p.cpu !== undefined ? cpuMillis(p.cpu, `${p.path}.cpu`) : shape!.vcpu * 1000;
  const mem = p.memory !== undefined ? memoryMiB(p.memory, `${p.path}.memory`) : shape!.memoryGiB * 1024;
  const gpus = p.gpus ?? shape?.gpus ?? 0;
  const source = p.cpu !== undefined || p.memory !== undefined ? "explicit" : "machine-table";
  if ((p.sizeIs ?? "capacity") === "allocatable") {
    return { allocatable: { cpuMillis: cpu, memoryMiB: mem, gpus }, source };
  }
  const capacity: Resources = { cpuMillis: cpu, memoryMiB: mem, gpus };
  const a = gkeAllocatable({ cpuMillis: cpu, memoryMiB: mem, sharedCore: source === "machine-table" && shape?.sharedCore });
  return { capacity, allocatable: { ...a, gpus }, source };
}

function nodeLabel(p: PoolInput): string {
  return p.machineType ? `one ${p.machineType} node` : "one node";
}

/** What to enlarge: the machine type of a GKE pool, or the nodes an existing cluster describes. */
function largerHint(p: PoolInput): string {
  return (p.sizeIs ?? "capacity") === "allocatable" ? `use larger nodes (${p.path}.cpu, ${p.path}.memory)` : `use a larger ${p.path}.machineType`;
}

/** What is subtracted before the room on a node: GKE's reservations and system pods, or nothing (allocatable as given). */
function afterWhat(p: PoolInput): string {
  return (p.sizeIs ?? "capacity") === "allocatable" ? "allocatable" : "after GKE's reservations and system pods";
}

/** An engine or a size with its requests read. */
type WithResources<T> = T & { readonly res: Resources };

/** One warning per key path whose engine requests are below what an engine needs to start. */
export function engineMinimumWarnings(engines: readonly WithResources<EngineInput>[], minimum: Resources): string[] {
  const warnings: string[] = [];
  const warned = new Set<string>();
  for (const e of engines) {
    if (warned.has(e.path)) continue;
    const low: string[] = [];
    if (e.res.cpuMillis < minimum.cpuMillis) low.push(`cpu ${e.res.cpuMillis ? formatMillis(e.res.cpuMillis) : "unset"} < ${formatMillis(minimum.cpuMillis)}`);
    if (e.res.memoryMiB < minimum.memoryMiB) low.push(`memory ${e.res.memoryMiB ? formatMiB(e.res.memoryMiB) : "unset"} < ${formatMiB(minimum.memoryMiB)}`);
    if (low.length > 0) {
      warned.add(e.path);
      warnings.push(`${e.path}: engine requests are below what a Dagger engine needs to start (${low.join(", ")}); the scheduler may place it where it is OOM-killed or starved`);
    }
  }
  return warnings;
}

/** What one node of a pool holds: its size, what the system and the DaemonSet engines take, what is free. */
export interface NodeFit {
  readonly size: NodeSize;
  readonly system: Resources;
  /** Allocatable minus the system DaemonSets: the room engines and runners share. */
  readonly afterSystem: Resources;
  readonly dsEngines: readonly WithResources<EngineInput>[];
  readonly dsTotal: Resources;
  /** Room for runners on a node without a StatefulSet engine. */
  readonly free: Resources;
  /** Pods a node takes beyond the system's and the engines'. */
  readonly podRoom: number;
}

/**
 * Pool fit: every DaemonSet engine of the pool on each node, then the room left for runners.
 * Throws when the engines do not fit on a node.
 */
export function poolNodeFit(
  p: PoolInput,
  mode: CapacityInput["mode"],
  engines: readonly WithResources<EngineInput>[],
  stsEngines: readonly WithResources<EngineInput>[] = [],
): NodeFit {
  const size = nodeSize(p);
  const system = p.systemPods ?? GKE_SYSTEM_DAEMONSETS;
  const dsEngines = mode === "daemonset" ? engines.filter((e) => e.pools.includes(p.name)) : [];
  const dsTotal = dsEngines.reduce((acc, e) => add(acc, e.res), ZERO);
  const afterSystem = sub(size.allocatable, system);
  checkEngineGpus(p, afterSystem.gpus ?? 0, dsEngines, stsEngines);
  if (dsEngines.length > 0 && !fits(dsTotal, afterSystem)) {
    const e = dsEngines[0];
    const what =
      dsEngines.length > 1
        ? `makes every node of pool "${p.name}" run ${dsEngines.length} engine DaemonSets (one per version) needing ${describeResources(dsTotal)}`
        : `makes every node of pool "${p.name}" run an engine needing ${describeResources(dsTotal)}`;
    throw new PlanError(e.path, e.requests, `${what}, but ${nodeLabel(p)} has ${describeResources(afterSystem)} ${afterWhat(p)}; lower the requests or ${largerHint(p)}`);
  }
  const podRoom = (p.maxPods ?? DEFAULT_MAX_PODS) - SYSTEM_POD_COUNT - dsEngines.length;
  return { size, system, afterSystem, dsEngines, dsTotal, free: sub(afterSystem, dsTotal), podRoom };
}

/**
 * StatefulSet placement: the pool's StatefulSet engines, largest first, each on the first node
 * with room (first fit). Returns what is left on each engine node. Throws when an engine does
 * not fit on a node or the engines need more nodes than the pool has.
 */
export function placeStatefulSetEngines(p: PoolInput, fit: NodeFit, stsEngines: readonly WithResources<EngineInput>[]): Resources[] {
  const engineNodes: Resources[] = [];
  for (const e of stsEngines) {
    if (!fits(e.res, fit.afterSystem)) {
      throw new PlanError(
        e.path,
        e.requests,
        `makes engine ${e.version} need ${describeResources(e.res)}, but ${nodeLabel(p)} of pool "${p.name}" has ${describeResources(fit.afterSystem)} ${afterWhat(p)}; lower the requests or ${largerHint(p)}`,
      );
    }
    const i = engineNodes.findIndex((left) => fits(e.res, left));
    if (i >= 0) engineNodes[i] = sub(engineNodes[i], e.res);
    else engineNodes.push(sub(fit.afterSystem, e.res));
  }
  if (engineNodes.length > p.maxNodes) {
    throw new PlanError(
      p.maxNodesPath ?? `${p.path}.maxNodes`,
      p.maxNodes,
      `is too few for the ${stsEngines.length} engine StatefulSets placed on pool "${p.name}" (they need ${engineNodes.length} nodes of this machine type)`,
    );
  }
  return engineNodes;
}

/**
 * Runner sizes on a pool: each must fit on a node beside the engines (throws otherwise); how many
 * fit per empty node, and how many the pool holds at `maxNodes` (that size alone, engine nodes'
 * leftovers included).
 */
export function sizeFit(
  p: PoolInput,
  fit: NodeFit,
  engineNodes: readonly Resources[],
  poolSizes: readonly WithResources<SizeInput>[],
): { runnersPerNode: Record<string, number>; maxRunnersAtMax: Record<string, number> } {
  const { free, dsEngines, dsTotal } = fit;
  for (const s of poolSizes) {
    if (!fits(s.res, free) && fits(s.res, fit.afterSystem) && dsEngines.length > 0) {
      // The size alone would fit: the engines take the room.
      const e = dsEngines[0];
      throw new PlanError(
        e.path,
        e.requests,
        `leaves ${describeResources(free)} on each ${p.machineType ?? ""}${p.machineType ? " " : ""}node of pool "${p.name}" (${dsEngines.length} engine DaemonSet${dsEngines.length > 1 ? "s take" : " takes"} ${describeResources(dsTotal)}), not enough for one runner of size ${JSON.stringify(s.name)} (${describeResources(s.res)}); lower the requests or ${largerHint(p)}`,
      );
    }
    if (!fits(s.res, free)) {
      const engineNote = dsEngines.length > 0 ? ` and ${dsEngines.length} engine DaemonSet${dsEngines.length > 1 ? "s" : ""}` : "";
      throw new PlanError(
        s.path,
        s.requests,
        `does not fit on a node of pool "${p.name}": it needs ${describeResources(s.res)}, but ${nodeLabel(p)} has ${describeResources(free, (s.res.gpus ?? 0) > 0)} left ${(p.sizeIs ?? "capacity") === "allocatable" ? `of its allocatable${engineNote.replace(/^ and /, " after ")}` : `after GKE's reservations, system pods${engineNote}`}; lower the requests or ${largerHint(p)}`,
      );
    }
  }
  const runnersPerNode: Record<string, number> = {};
  const maxRunnersAtMax: Record<string, number> = {};
  for (const s of poolSizes) {
    const perNode = podsThatFit(s.res, free, fit.podRoom);
    runnersPerNode[s.name] = perNode;
    const onEngineNodes = engineNodes.reduce((acc, left) => acc + podsThatFit(s.res, left, fit.podRoom - 1), 0);
    maxRunnersAtMax[s.name] = Math.max(0, p.maxNodes - engineNodes.length) * perNode + onEngineNodes;
  }
  return { runnersPerNode, maxRunnersAtMax };
}

/** Demand per size on a pool: the scale sets of its sizes, each at `maxRunners` (and their idle `minRunners`). */
export function poolDemand(
  scaleSets: readonly ScaleSetPlan[],
  poolSizes: readonly { readonly name: string }[],
): { atMax: Map<string, number>; warm: Map<string, number>; sets: number } {
  const atMax = new Map<string, number>();
  const warm = new Map<string, number>();
  let sets = 0;
  for (const ss of scaleSets) {
    if (!poolSizes.some((s) => s.name === ss.size)) continue;
    sets++;
    atMax.set(ss.size, (atMax.get(ss.size) ?? 0) + ss.maxRunners);
    if (ss.minRunners > 0) warm.set(ss.size, (warm.get(ss.size) ?? 0) + ss.minRunners);
  }
  return { atMax, warm, sets };
}

/** Per engine: every scale set routing to it at `maxRunners`, and what its pools hold of that mix. */
export function engineWorstCase(
  e: WithResources<EngineInput>,
  input: CapacityInput,
  pools: readonly PoolCapacity[],
  sizePool: ReadonlyMap<string, string>,
): EngineCapacity {
  const poolOf = new Map(pools.map((p) => [p.name, p]));
  const sets = input.scaleSets.filter((ss) => ss.version === e.version && (e.sizes === undefined || e.sizes.includes(ss.size)));
  const byPool = new Map<string, Map<string, number>>();
  for (const ss of sets) {
    const pool = sizePool.get(ss.size);
    if (!pool) continue;
    const m = byPool.get(pool) ?? new Map<string, number>();
    m.set(ss.size, (m.get(ss.size) ?? 0) + ss.maxRunners);
    byPool.set(pool, m);
  }
  let cap = 0;
  for (const [pool, mix] of byPool) {
    const pc = poolOf.get(pool);
    if (pc) cap += mixCapacity(mix, pc.maxRunnersAtMax);
  }
  return {
    version: e.version,
    releaseName: e.releaseName,
    mode: input.mode,
    pools: input.mode === "daemonset" ? e.pools.filter((n) => poolOf.has(n)) : e.pools.slice(0, 1),
    requests: e.res,
    scaleSets: sets.length,
    worstCaseRunners: sets.reduce((a, ss) => a + ss.maxRunners, 0),
    poolCapacity: cap,
  };
}

/** Computes the capacity plan; throws {@link PlanError} for configs that cannot work. */
export function planCapacity(input: CapacityInput): CapacityPlan {
  const maxRunnersPath = input.paths?.maxRunners ?? "runners.maxRunners";
  const engines = input.engines.map((e) => ({ ...e, res: toResources(e.requests, e.path) }));
  const sizes = input.sizes.map((s) => ({ ...s, res: toResources(s.requests, s.path) }));
  const warnings = engineMinimumWarnings(engines, input.engineMinimum ?? ENGINE_START_MINIMUM);

  const pools: PoolCapacity[] = [];
  for (const p of input.pools) {
    const stsEngines =
      input.mode === "statefulset" ? engines.filter((e) => e.pools[0] === p.name).sort((a, b) => b.res.memoryMiB - a.res.memoryMiB) : [];
    const fit = poolNodeFit(p, input.mode, engines, stsEngines);
    const engineNodes = placeStatefulSetEngines(p, fit, stsEngines);
    const poolSizes = sizes.filter((s) => s.pool === p.name);
    const { runnersPerNode, maxRunnersAtMax } = sizeFit(p, fit, engineNodes, poolSizes);

    const demandBySize = poolDemand(input.scaleSets, poolSizes);
    const demand = [...demandBySize.atMax.values()].reduce((a, b) => a + b, 0);
    const capacity = mixCapacity(demandBySize.atMax, maxRunnersAtMax);
    if (demand > 0 && demand > capacity) {
      // Engines never preempt a runner (PriorityClass preemptionPolicy Never, docs/capacity.md):
      // a DaemonSet engine's room is counted on every node, but a StatefulSet engine pod that
      // moves (node upgrade, repair) needs a node with room, which runners beyond the plan take.
      const stsNote =
        stsEngines.length > 0
          ? `; runners can then fill every node, and an engine StatefulSet pod that moves (node upgrade or repair) waits for running jobs to finish before it has room`
          : "";
      warnings.push(
        `${p.maxNodesPath ?? `${p.path}.maxNodes`}: ${p.maxNodes} nodes${p.machineType ? ` of ${p.machineType}` : ""} hold about ${capacity} runners, but ${demandBySize.sets} scale sets at ${maxRunnersPath} allow ${demand} at once (exact and alias labels each count); jobs beyond that will queue${stsNote}`,
      );
    }
    // Warm runners: the scale sets' minRunners (their scheduled peak) must fit at maxNodes.
    const warmRunners = [...demandBySize.warm.values()].reduce((a, b) => a + b, 0);

    pools.push({
      name: p.name,
      path: p.path,
      machineType: p.machineType,
      source: fit.size.source,
      minNodes: p.minNodes ?? 0,
      maxNodes: p.maxNodes,
      spot: p.spot ?? false,
      node: { capacity: fit.size.capacity, allocatable: fit.size.allocatable, system: fit.system, daemonSetEngines: fit.dsTotal, free: fit.free },
      daemonSetEngines: fit.dsEngines.map((e) => e.version),
      statefulSetEngines: stsEngines.map((e) => e.version),
      engineNodes: engineNodes.length,
      runnersPerNode,
      maxRunnersAtMax,
      demand,
      capacity,
      warmRunners,
      warmCapacity: mixCapacity(demandBySize.warm, maxRunnersAtMax),
    });
  }

  // No "Spot pool holding the only StatefulSet engine without a PVC cache" warning: it cannot
  // fire. Every StatefulSet engine gets a PVC (volumeClaimTemplate `data`,
  // lib/planning/engine-values.ts daggerChartValues; dagger.engine.cache only sizes it), so a
  // preempted engine pod comes back with its cache. test/capacity.test.ts asserts that
  // invariant; if the PVC ever becomes optional, add the warning here.

  const sizePool = new Map(sizes.map((s) => [s.name, s.pool]));
  return { pools, engines: engines.map((e) => engineWorstCase(e, input, pools, sizePool)), warnings };
}

/**
 * GPUs (an extended resource: whole devices, never shared or overcommitted) of the engines of
 * one pool: every DaemonSet engine on each node, a StatefulSet engine on one node. An engine
 * asking for more than a node has stays Pending forever: a one-line error naming its GPU key.
 */
function checkEngineGpus(
  p: PoolInput,
  nodeGpus: number,
  dsEngines: readonly WithResources<EngineInput>[],
  stsEngines: readonly WithResources<EngineInput>[],
): void {
  const has = nodeGpus > 0 ? `has ${nodeGpus} GPU${nodeGpus === 1 ? "" : "s"}` : "has no GPU";
  const gpuDs = dsEngines.filter((e) => (e.res.gpus ?? 0) > 0);
  const dsGpus = gpuDs.reduce((a, e) => a + (e.res.gpus ?? 0), 0);
  if (dsGpus > nodeGpus) {
    const e = gpuDs[0];
    const what = gpuDs.length > 1 ? `${gpuDs.length} GPU engine DaemonSets (one per version) needing ${dsGpus} GPUs` : `a GPU engine needing ${dsGpus} GPU${dsGpus === 1 ? "" : "s"}`;
    throw new PlanError(e.gpuPath ?? e.path, e.res.gpus, `makes every node of pool "${p.name}" run ${what}, but ${nodeLabel(p)} ${has}; lower it, use fewer engine versions, or a machine type with more GPUs`);
  }
  const big = stsEngines.find((e) => (e.res.gpus ?? 0) > nodeGpus);
  if (big) {
    throw new PlanError(big.gpuPath ?? big.path, big.res.gpus, `makes GPU engine ${big.version} need ${big.res.gpus} GPU${big.res.gpus === 1 ? "" : "s"}, but ${nodeLabel(p)} of pool "${p.name}" ${has}; lower it or use a machine type with more GPUs`);
  }
}

/**
 * Runner pods a pool holds for a mix of sizes: with demand d_s and single-size capacity c_s,
 * the pool is full when sum(n_s / c_s) = 1; scaling the demand mix to that point gives
 * D / sum(d_s / c_s) pods (for one size, c_s). Floored.
 */
export function mixCapacity(demand: ReadonlyMap<string, number>, single: Readonly<Record<string, number>>): number {
  let total = 0;
  let load = 0;
  for (const [size, d] of demand) {
    if (d <= 0) continue;
    const c = single[size] ?? 0;
    if (c <= 0) return 0;
    total += d;
    load += d / c;
  }
  if (total === 0) {
    const values = Object.values(single);
    return values.length ? Math.max(...values) : 0;
  }
  return Math.floor(total / load + 1e-9);
}
