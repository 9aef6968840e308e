/**
 * Compute Engine machine types and GKE's node-allocatable rules. Pure code: no cdktf import.
 *
 * Sources:
 * - Machine shapes: Compute Engine "Machine families resource and comparison guide"
 *   (https://cloud.google.com/compute/docs/machine-resource), general-purpose (E2, N2, N2D, T2D),
 *   compute-optimized (C2, C3) and accelerator-optimized (G2, one to eight NVIDIA L4) families.
 *   Compute Engine writes memory in "GB" meaning 2^30 bytes, so the table holds GiB. A node's
 *   real `capacity.memory` is a little lower (the kernel keeps some), so the plan is slightly
 *   optimistic on memory; the figures that matter for errors are far from that margin.
 * - Reservations: GKE "About GKE node sizing", section "Memory and CPU reservations"
 *   (https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes, formerly
 *   cluster-architecture#node_allocatable):
 *   memory: 255 MiB on machines with less than 1 GiB; otherwise 25% of the first 4 GiB, 20% of
 *   the next 4 GiB, 10% of the next 8 GiB, 6% of the next 112 GiB, 2% of anything above 128 GiB;
 *   plus a 100 MiB hard-eviction threshold on every node.
 *   CPU: 6% of the first core, 1% of the next core, 0.5% of the next 2 cores, 0.25% of every
 *   core above 4; shared-core E2 types (e2-micro, e2-small, e2-medium) reserve a flat 1060m.
 *   The same tiers are reproduced by kURL's and Bottlerocket's GKE-compatible kube-reserved
 *   calculators, which the search index holds.
 */

/** One machine shape. */
export interface MachineShape {
  /** vCPUs. */
  readonly vcpu: number;
  /** Memory in GiB. */
  readonly memoryGiB: number;
  /** NVIDIA GPUs attached by the machine type (accelerator-optimized families). @default 0 */
  readonly gpus?: number;
  /** Shared-core machine (GKE reserves a flat 1060m CPU). @default false */
  readonly sharedCore?: boolean;
}

function series(prefix: string, sizes: readonly number[], gibPerVcpu: number): Record<string, MachineShape> {
  return Object.fromEntries(sizes.map((n) => [`${prefix}-${n}`, { vcpu: n, memoryGiB: n * gibPerVcpu }]));
}

/** The machine types the planner knows; anything else needs explicit `cpu`/`memory`. */
export const MACHINE_TYPES: Readonly<Record<string, MachineShape>> = {
  // E2 (general purpose, cost optimized). e2-medium is shared-core: 2 vCPU bursting, 4 GB.
  "e2-medium": { vcpu: 2, memoryGiB: 4, sharedCore: true },
  ...series("e2-standard", [2, 4, 8, 16, 32], 4),
  ...series("e2-highmem", [2, 4, 8, 16], 8),
  ...series("e2-highcpu", [2, 4, 8, 16, 32], 1),
  // N2 (Intel) and N2D (AMD).
  ...series("n2-standard", [2, 4, 8, 16, 32, 48, 64], 4),
  ...series("n2-highmem", [2, 4, 8, 16, 32, 48, 64], 8),
  ...series("n2-highcpu", [2, 4, 8, 16, 32, 48, 64], 1),
  ...series("n2d-standard", [2, 4, 8, 16, 32, 48, 64], 4),
  ...series("n2d-highmem", [2, 4, 8, 16, 32, 48, 64], 8),
  // N1 (older general purpose): 3.75 GB per vCPU.
  ...series("n1-standard", [1, 2, 4, 8, 16, 32], 3.75),
  // T2D (AMD, scale-out): 4 GB per vCPU.
  ...series("t2d-standard", [1, 2, 4, 8, 16, 32, 48, 60], 4),
  // C2 (compute optimized): 4 GB per vCPU.
  ...series("c2-standard", [4, 8, 16, 30, 60], 4),
  // C3 (compute optimized): 4 GB per vCPU.
  ...series("c3-standard", [4, 8, 22, 44, 88, 176], 4),
  // G2 (NVIDIA L4): 4 GB per vCPU; GPUs per machine type.
  "g2-standard-4": { vcpu: 4, memoryGiB: 16, gpus: 1 },
  "g2-standard-8": { vcpu: 8, memoryGiB: 32, gpus: 1 },
  "g2-standard-12": { vcpu: 12, memoryGiB: 48, gpus: 1 },
  "g2-standard-16": { vcpu: 16, memoryGiB: 64, gpus: 1 },
  "g2-standard-24": { vcpu: 24, memoryGiB: 96, gpus: 2 },
  "g2-standard-32": { vcpu: 32, memoryGiB: 128, gpus: 1 },
  "g2-standard-48": { vcpu: 48, memoryGiB: 192, gpus: 4 },
  "g2-standard-96": { vcpu: 96, memoryGiB: 384, gpus: 8 },
};

/** The shape of `machineType`, or undefined when it is not in {@link MACHINE_TYPES}. */
export function machineShape(machineType: string): MachineShape | undefined {
  return Object.prototype.hasOwnProperty.call(MACHINE_TYPES, machineType) ? MACHINE_TYPES[machineType] : undefined;
}

/** GKE's hard-eviction threshold kept free on every node (MiB). */
export const GKE_EVICTION_MIB = 100;
/** GKE's flat CPU reservation on shared-core E2 machine types (millicores). */
export const GKE_SHARED_CORE_RESERVED_MILLIS = 1060;

/** Memory GKE reserves for the kubelet and system daemons (MiB), eviction threshold excluded. */
export function gkeReservedMemoryMiB(capacityMiB: number): number {
  if (capacityMiB < 1024) return 255;
  const tiers: readonly [number, number][] = [
    [4 * 1024, 0.25],
    [4 * 1024, 0.2],
    [8 * 1024, 0.1],
    [112 * 1024, 0.06],
    [Infinity, 0.02],
  ];
  return tiered(capacityMiB, tiers);
}

/** CPU GKE reserves (millicores). */
export function gkeReservedCpuMillis(capacityMillis: number, sharedCore = false): number {
  if (sharedCore) return GKE_SHARED_CORE_RESERVED_MILLIS;
  const tiers: readonly [number, number][] = [
    [1000, 0.06],
    [1000, 0.01],
    [2000, 0.005],
    [Infinity, 0.0025],
  ];
  return tiered(capacityMillis, tiers);
}

/** Sum of `rate` x the part of `amount` falling in each successive tier of `size`. */
function tiered(amount: number, tiers: readonly (readonly [size: number, rate: number])[]): number {
  let left = amount;
  let reserved = 0;
  for (const [size, rate] of tiers) {
    const part = Math.min(left, size);
    reserved += part * rate;
    left -= part;
    if (left <= 0) break;
  }
  return reserved;
}

/** Allocatable CPU (millicores) and memory (MiB) of a GKE node with this capacity. */
export function gkeAllocatable(capacity: { cpuMillis: number; memoryMiB: number; sharedCore?: boolean }): {
  cpuMillis: number;
  memoryMiB: number;
} {
  return {
    cpuMillis: capacity.cpuMillis - gkeReservedCpuMillis(capacity.cpuMillis, capacity.sharedCore),
    memoryMiB: capacity.memoryMiB - gkeReservedMemoryMiB(capacity.memoryMiB) - GKE_EVICTION_MIB,
  };
}

/**
 * Requests of GKE's own per-node DaemonSets (kube-system, gmp-system), which every node runs
 * before any workload. ASSUMPTION, not a published figure: measured requests on a GKE Standard
 * node with Workload Identity are about 400m CPU in total (kube-proxy or anetd 100m,
 * gke-metadata-server 100m, fluentbit-gke 105m, node-local-dns 30m, gke-metrics-agent 21m,
 * konnectivity-agent 15m, pdcsi-node 15m, netd 8m, collector 5m) and a few hundred MiB of memory.
 * We plan with 400m CPU and 512Mi memory per node; cluster-wide singletons (kube-dns,
 * metrics-server, ...) land on one node and are not counted.
 */
export const GKE_SYSTEM_DAEMONSETS = { cpuMillis: 400, memoryMiB: 512 } as const;
