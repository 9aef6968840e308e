/**
 * Capacity planning: what a config will really do on its nodes, before anything is deployed.
 * Pure code (no cdktf import), written against the explicit {@link CapacityInput} so it is
 * testable on its own; {@link capacityInputFromConfig} adapts a validated config to it.
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
 * Per engine: the worst case is every scale set routing to it (exact, minor alias and latest
 * labels, each its own scale set under `per-label`) at `maxRunners` at once.
 */
import type { ScaleSetPlan } from "./labels";
import type { RunnersConfig } from "./input/schema";
import type { ClusterPlan, PoolKey } from "./cluster";
import { enginePoolKeys } from "./placement";
import { GPU_RESOURCE } from "./engines";
import { PlanError, formatPath } from "./errors";
import { GKE_SYSTEM_DAEMONSETS, gkeAllocatable, machineShape } from "./machine-types";

/** CPU in millicores and memory in MiB. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  /** `nvidia.com/gpu`. @default 0 */
  readonly gpus?: number;
}

/** Kubernetes-style requests as written in the config (`"500m"`, `"4Gi"`, `2`). */
export type RequestList = Readonly<Record<string, string | number | undefined>>;

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
// Quantities

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTOR: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

function parseQuantity(raw: string | number, path: string): number {
  const m = QUANTITY.exec(String(raw).trim());
  if (!m) throw new PlanError(path, raw, "is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)");
  return Number(m[1]) * FACTOR[m[2] ?? ""];
}

/** `"500m"` -> 500, `2` -> 2000. */
export function cpuMillis(raw: string | number, path = "cpu"): number {
  return Math.round(parseQuantity(raw, path) * 1000 * 1000) / 1000;
}

/** `"4Gi"` -> 4096, `"1G"` -> 953.67. */
export function memoryMiB(raw: string | number, path = "memory"): number {
  return parseQuantity(raw, path) / 2 ** 20;
}

/** Requests as numbers; missing entries are 0. */
export function toResources(req: RequestList | undefined, path: string): Resources {
  return {
    cpuMillis: req?.cpu !== undefined ? cpuMillis(req.cpu, `${path}.cpu`) : 0,
    memoryMiB: req?.memory !== undefined ? memoryMiB(req.memory, `${path}.memory`) : 0,
    gpus: req?.["nvidia.com/gpu"] !== undefined ? Number(req["nvidia.com/gpu"]) : 0,
  };
}

/** `1536` MiB -> `"1.5Gi"`, `500` -> `"500Mi"`. */
export function formatMiB(mib: number): string {
  if (Math.abs(mib) >= 1024) return `${round(mib / 1024)}Gi`;
  return `${round(mib)}Mi`;
}

/** `2500` -> `"2.5"`, `500` -> `"500m"`. */
export function formatMillis(m: number): string {
  if (Math.abs(m) >= 1000) return `${round(m / 1000)}`;
  return `${Math.round(m)}m`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

const ZERO: Resources = { cpuMillis: 0, memoryMiB: 0, gpus: 0 };
const add = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis + b.cpuMillis,
  memoryMiB: a.memoryMiB + b.memoryMiB,
  gpus: (a.gpus ?? 0) + (b.gpus ?? 0),
});
const sub = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis - b.cpuMillis,
  memoryMiB: a.memoryMiB - b.memoryMiB,
  gpus: (a.gpus ?? 0) - (b.gpus ?? 0),
});
const fits = (need: Resources, room: Resources) =>
  need.cpuMillis <= room.cpuMillis + 1e-9 && need.memoryMiB <= room.memoryMiB + 1e-9 && (need.gpus ?? 0) <= (room.gpus ?? 0);
/** `1 CPU / 2Gi`, with ` / <n> GPU` when there are GPUs or `gpus` asks for them (e.g. none left). */
const describe = (r: Resources, gpus = false) =>
  `${formatMillis(r.cpuMillis)} CPU / ${formatMiB(r.memoryMiB)}${r.gpus || gpus ? ` / ${r.gpus ?? 0} GPU` : ""}`;

/** How many pods of `size` fit into `room` (pods per node capped by `podRoom`). */
function podsThatFit(size: Resources, room: Resources, podRoom: number): number {
  const limits = [podRoom];
  if (size.cpuMillis > 0) limits.push(Math.floor((room.cpuMillis + 1e-9) / size.cpuMillis));
  if (size.memoryMiB > 0) limits.push(Math.floor((room.memoryMiB + 1e-9) / size.memoryMiB));
  if ((size.gpus ?? 0) > 0) limits.push(Math.floor((room.gpus ?? 0) / (size.gpus ?? 1)));
  return Math.max(0, Math.min(...limits));
}

// ---------------------------------------------------------------------------------------------
// The plan

interface NodeSize {
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

/** Computes the capacity plan; throws {@link PlanError} for configs that cannot work. */
export function planCapacity(input: CapacityInput): CapacityPlan {
  const warnings: string[] = [];
  const minimum = input.engineMinimum ?? ENGINE_START_MINIMUM;
  const maxRunnersPath = input.paths?.maxRunners ?? "runners.maxRunners";
  const poolsByName = new Map(input.pools.map((p) => [p.name, p]));

  const engines = input.engines.map((e) => ({ ...e, res: toResources(e.requests, e.path) }));
  const sizes = input.sizes.map((s) => ({ ...s, res: toResources(s.requests, s.path) }));

  // Engine requests below what an engine needs to start (one warning per key path).
  const warnedMin = new Set<string>();
  for (const e of engines) {
    if (warnedMin.has(e.path)) continue;
    const low: string[] = [];
    if (e.res.cpuMillis < minimum.cpuMillis) low.push(`cpu ${e.res.cpuMillis ? formatMillis(e.res.cpuMillis) : "unset"} < ${formatMillis(minimum.cpuMillis)}`);
    if (e.res.memoryMiB < minimum.memoryMiB) low.push(`memory ${e.res.memoryMiB ? formatMiB(e.res.memoryMiB) : "unset"} < ${formatMiB(minimum.memoryMiB)}`);
    if (low.length > 0) {
      warnedMin.add(e.path);
      warnings.push(
        `${e.path}: engine requests are below what a Dagger engine needs to start (${low.join(", ")}); the scheduler may place it where it is OOM-killed or starved`,
      );
    }
  }

  const pools: PoolCapacity[] = [];
  for (const p of input.pools) {
    const size = nodeSize(p);
    const system = p.systemPods ?? GKE_SYSTEM_DAEMONSETS;
    const dsEngines = input.mode === "daemonset" ? engines.filter((e) => e.pools.includes(p.name)) : [];
    const stsEngines =
      input.mode === "statefulset" ? engines.filter((e) => e.pools[0] === p.name).sort((a, b) => b.res.memoryMiB - a.res.memoryMiB) : [];
    const dsTotal = dsEngines.reduce((acc, e) => add(acc, e.res), ZERO);
    const afterSystem = sub(size.allocatable, system);
    const free = sub(afterSystem, dsTotal);
    const maxPods = p.maxPods ?? DEFAULT_MAX_PODS;
    const podRoom = maxPods - SYSTEM_POD_COUNT - dsEngines.length;
    const room = `${describe(afterSystem)} ${afterWhat(p)}`;
    const larger = largerHint(p);
    const maxNodesPath = p.maxNodesPath ?? `${p.path}.maxNodes`;

    checkEngineGpus(p, afterSystem.gpus ?? 0, dsEngines, stsEngines);
    // Errors: engines that cannot fit on this machine type.
    if (dsEngines.length > 0 && !fits(dsTotal, afterSystem)) {
      const e = dsEngines[0];
      const what =
        dsEngines.length > 1
          ? `makes every node of pool "${p.name}" run ${dsEngines.length} engine DaemonSets (one per version) needing ${describe(dsTotal)}`
          : `makes every node of pool "${p.name}" run an engine needing ${describe(dsTotal)}`;
      throw new PlanError(e.path, e.requests, `${what}, but ${nodeLabel(p)} has ${room}; lower the requests or ${larger}`);
    }
    const engineNodes: Resources[] = [];
    for (const e of stsEngines) {
      if (!fits(e.res, afterSystem)) {
        throw new PlanError(
          e.path,
          e.requests,
          `makes engine ${e.version} need ${describe(e.res)}, but ${nodeLabel(p)} of pool "${p.name}" has ${room}; lower the requests or ${larger}`,
        );
      }
      const i = engineNodes.findIndex((left) => fits(e.res, left));
      if (i >= 0) engineNodes[i] = sub(engineNodes[i], e.res);
      else engineNodes.push(sub(afterSystem, e.res));
    }
    if (engineNodes.length > p.maxNodes) {
      throw new PlanError(
        maxNodesPath,
        p.maxNodes,
        `is too few for the ${stsEngines.length} engine StatefulSets placed on pool "${p.name}" (they need ${engineNodes.length} nodes of this machine type)`,
      );
    }

    // Errors: sizes whose requests exceed a node.
    const poolSizes = sizes.filter((s) => s.pool === p.name);
    for (const s of poolSizes) {
      if (!fits(s.res, free) && fits(s.res, afterSystem) && dsEngines.length > 0) {
        // The size alone would fit: the engines take the room.
        const e = dsEngines[0];
        throw new PlanError(
          e.path,
          e.requests,
          `leaves ${describe(free)} on each ${p.machineType ?? ""}${p.machineType ? " " : ""}node of pool "${p.name}" (${dsEngines.length} engine DaemonSet${dsEngines.length > 1 ? "s take" : " takes"} ${describe(dsTotal)}), not enough for one runner of size ${JSON.stringify(s.name)} (${describe(s.res)}); lower the requests or ${larger}`,
        );
      }
      if (!fits(s.res, free)) {
        const engineNote = dsEngines.length > 0 ? ` and ${dsEngines.length} engine DaemonSet${dsEngines.length > 1 ? "s" : ""}` : "";
        throw new PlanError(
          s.path,
          s.requests,
          `does not fit on a node of pool "${p.name}": it needs ${describe(s.res)}, but ${nodeLabel(p)} has ${describe(free, (s.res.gpus ?? 0) > 0)} left ${(p.sizeIs ?? "capacity") === "allocatable" ? `of its allocatable${engineNote.replace(/^ and /, " after ")}` : `after GKE's reservations, system pods${engineNote}`}; lower the requests or ${larger}`,
        );
      }
    }

    const runnersPerNode: Record<string, number> = {};
    const maxRunnersAtMax: Record<string, number> = {};
    for (const s of poolSizes) {
      const perNode = podsThatFit(s.res, free, podRoom);
      runnersPerNode[s.name] = perNode;
      const onEngineNodes = engineNodes.reduce((acc, left) => acc + podsThatFit(s.res, left, podRoom - 1), 0);
      maxRunnersAtMax[s.name] = Math.max(0, p.maxNodes - engineNodes.length) * perNode + onEngineNodes;
    }

    // Demand: every scale set whose size runs on this pool, at maxRunners.
    const demandBySize = new Map<string, number>();
    for (const ss of input.scaleSets) {
      if (!poolSizes.some((s) => s.name === ss.size)) continue;
      demandBySize.set(ss.size, (demandBySize.get(ss.size) ?? 0) + ss.maxRunners);
    }
    const demand = [...demandBySize.values()].reduce((a, b) => a + b, 0);
    const capacity = mixCapacity(demandBySize, maxRunnersAtMax);
    if (demand > 0 && demand > capacity) {
      const sets = input.scaleSets.filter((ss) => demandBySize.has(ss.size)).length;
      warnings.push(
        `${maxNodesPath}: ${p.maxNodes} nodes${p.machineType ? ` of ${p.machineType}` : ""} hold about ${capacity} runners, but ${sets} scale sets at ${maxRunnersPath} allow ${demand} at once (exact and alias labels each count); jobs beyond that will queue`,
      );
    }

    // Warm runners: the scale sets' minRunners (their scheduled peak) must fit at maxNodes.
    const warmBySize = new Map<string, number>();
    for (const ss of input.scaleSets) {
      if (poolSizes.some((s) => s.name === ss.size) && ss.minRunners > 0) warmBySize.set(ss.size, (warmBySize.get(ss.size) ?? 0) + ss.minRunners);
    }
    const warmRunners = [...warmBySize.values()].reduce((a, b) => a + b, 0);
    const warmCapacity = mixCapacity(warmBySize, maxRunnersAtMax);

    pools.push({
      name: p.name,
      path: p.path,
      machineType: p.machineType,
      source: size.source,
      minNodes: p.minNodes ?? 0,
      maxNodes: p.maxNodes,
      spot: p.spot ?? false,
      node: { capacity: size.capacity, allocatable: size.allocatable, system, daemonSetEngines: dsTotal, free },
      daemonSetEngines: dsEngines.map((e) => e.version),
      statefulSetEngines: stsEngines.map((e) => e.version),
      engineNodes: engineNodes.length,
      runnersPerNode,
      maxRunnersAtMax,
      demand,
      capacity,
      warmRunners,
      warmCapacity,
    });
  }

  // No "Spot pool holding the only StatefulSet engine without a PVC cache" warning: it cannot
  // fire. Every StatefulSet engine gets a PVC (volumeClaimTemplate `data`,
  // lib/planning/engine-values.ts daggerChartValues; dagger.engine.cache only sizes it), so a
  // preempted engine pod comes back with its cache. test/capacity.test.ts asserts that
  // invariant; if the PVC ever becomes optional, add the warning here.

  // Per engine: every scale set routing to it, at maxRunners.
  const poolOf = new Map(pools.map((p) => [p.name, p]));
  const sizePool = new Map(sizes.map((s) => [s.name, s.pool]));
  const engineCaps: EngineCapacity[] = engines.map((e) => {
    const sets = input.scaleSets.filter((ss) => ss.version === e.version && (e.sizes === undefined || e.sizes.includes(ss.size)));
    const worst = sets.reduce((a, ss) => a + ss.maxRunners, 0);
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
      pools: input.mode === "daemonset" ? e.pools.filter((n) => poolsByName.has(n)) : e.pools.slice(0, 1),
      requests: e.res,
      scaleSets: sets.length,
      worstCaseRunners: worst,
      poolCapacity: cap,
    };
  });

  return { pools, engines: engineCaps, warnings };
}

/**
 * GPUs (an extended resource: whole devices, never shared or overcommitted) of the engines of
 * one pool: every DaemonSet engine on each node, a StatefulSet engine on one node. An engine
 * asking for more than a node has stays Pending forever: a one-line error naming its GPU key.
 */
function checkEngineGpus(
  p: PoolInput,
  nodeGpus: number,
  dsEngines: readonly (EngineInput & { res: Resources })[],
  stsEngines: readonly (EngineInput & { res: Resources })[],
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

// ---------------------------------------------------------------------------------------------
// From a validated config

/**
 * The requests the scheduler sees: a resource with a limit and no request is requested at its
 * limit (Kubernetes `SetDefaults_Pod`, pkg/apis/core/v1/defaults.go: "If limits are specified but
 * requests are not, default requests to limits").
 */
export function schedulingRequests(r: { readonly requests?: RequestList; readonly limits?: RequestList } | undefined): RequestList {
  const requests = r?.requests ?? {};
  return { ...requests, ...Object.fromEntries(Object.entries(r?.limits ?? {}).filter(([k]) => requests[k] === undefined)) };
}

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
