import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { ContainerNodePool } from "../imports/google";
import type { PoolPlan } from "../planning/cluster";
import type { Taint } from "../planning/k8s-types";

/** Props of {@link GkeNodePools}. */
export interface GkeNodePoolsProps {
  /** Project of the cluster. */
  readonly projectId: string;
  /** Cluster name (a token, so the pools wait for the cluster). */
  readonly clusterName: string;
  /** Location of the cluster (region or zone). */
  readonly location: string;
  /** The planned pools (lib/planning/cluster.ts). */
  readonly pools: readonly PoolPlan[];
  /** Service account of the nodes. */
  readonly serviceAccountEmail: string;
  /** GCP labels of the node VMs (cost tracking). @default {} */
  readonly resourceLabels?: Readonly<Record<string, string>>;
  /** Resources to create first (the node account's role grants, NAT). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

const EFFECT: Record<Taint["effect"], string> = {
  NoSchedule: "NO_SCHEDULE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
};

/**
 * One autoscaled node pool per planned pool (`runners`, optional `engines` and `gpu`):
 * COS/containerd nodes with shielded boot, Workload Identity metadata, auto-repair and
 * auto-upgrade, surge upgrades that never take a node away before its replacement is ready.
 */
export class GkeNodePools extends Construct {
  /** Pool key (`runners`, `engines`, `gpu`) -> node pool. */
  readonly pools: Readonly<Record<string, ContainerNodePool>>;

  constructor(scope: Construct, id: string, props: GkeNodePoolsProps) {
    super(scope, id);
    const pools: Record<string, ContainerNodePool> = {};
    for (const p of props.pools) {
      pools[p.key] = new ContainerNodePool(this, p.key, {
        project: props.projectId,
        cluster: props.clusterName,
        location: props.location,
        name: p.name,
        autoscaling: {
          // Totals over all the pool's zones (GKE 1.24.1+), so the config reads as node counts.
          totalMinNodeCount: p.minNodes,
          totalMaxNodeCount: p.maxNodes,
          // Spot capacity varies by zone: take it where it is.
          locationPolicy: p.spot ? "ANY" : "BALANCED",
        },
        management: { autoRepair: true, autoUpgrade: true },
        upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
        nodeConfig: {
          machineType: p.machineType,
          diskType: p.diskType,
          diskSizeGb: p.diskSizeGb,
          imageType: "COS_CONTAINERD",
          spot: p.spot,
          serviceAccount: props.serviceAccountEmail,
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
          workloadMetadataConfig: { mode: "GKE_METADATA" },
          shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
          metadata: { "disable-legacy-endpoints": "true" },
          labels: Object.keys(p.labels).length > 0 ? { ...p.labels } : undefined,
          resourceLabels: props.resourceLabels ? { ...props.resourceLabels, "node-pool": p.name } : { "node-pool": p.name },
          taint: p.taints.length > 0 ? p.taints.map((t) => ({ key: t.key, value: t.value, effect: EFFECT[t.effect] })) : undefined,
          ephemeralStorageLocalSsdConfig: p.localSsdCount > 0 ? { localSsdCount: p.localSsdCount } : undefined,
          guestAccelerator: p.accelerator
            ? [
                {
                  type: p.accelerator.type,
                  count: p.accelerator.count,
                  gpuDriverInstallationConfig: { gpuDriverVersion: p.accelerator.driverVersion },
                },
              ]
            : undefined,
        },
        dependsOn: props.dependsOn,
      });
    }
    this.pools = pools;
  }
}
