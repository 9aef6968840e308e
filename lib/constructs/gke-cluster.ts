import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { ContainerCluster } from "../imports/google";
import type { ClusterPlan } from "../planning/cluster";

/** Props of {@link GkeCluster}. */
export interface GkeClusterProps {
  /** The planned cluster: names, location, network, control plane (release channel, maintenance, private endpoint; lib/planning/cluster.ts). */
  readonly plan: ClusterPlan;
  /** Network to attach the cluster to (self link or `projects/...` path). */
  readonly networkRef: string;
  /** Subnet to attach the cluster to. */
  readonly subnetRef: string;
  /** Service account of the default pool's short-lived node (removed after creation). */
  readonly nodeServiceAccountEmail: string;
  /** Resources to create first (network, NAT, services, IAM). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A GKE Standard cluster for the runners: VPC-native, Dataplane V2 (which enforces the
 * NetworkPolicy the engine's `tcp` transport relies on), Workload Identity, optional VPA,
 * system and workload logging, managed Prometheus, cost allocation, shielded nodes, and
 * optionally private nodes and endpoint. Node pools are separate resources (the default pool
 * is removed).
 */
export class GkeCluster extends Construct {
  readonly cluster: ContainerCluster;

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    const { plan } = props;
    const c = plan.controlPlane;
    const w = c.maintenanceWindow;
    this.cluster = new ContainerCluster(this, "cluster", {
      project: plan.projectId,
      name: plan.name,
      location: plan.location,
      nodeLocations: plan.nodeLocations.length > 0 ? [...plan.nodeLocations] : undefined,
      deletionProtection: c.deletionProtection,
      // Node pools are managed as separate resources; the default pool is created (with the
      // node service account, as some organizations disable the default compute account) and
      // removed at once.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig: {
        serviceAccount: props.nodeServiceAccountEmail,
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        workloadMetadataConfig: { mode: "GKE_METADATA" },
      },
      network: props.networkRef,
      subnetwork: props.subnetRef,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: {
        clusterSecondaryRangeName: plan.network.podsRangeName,
        servicesSecondaryRangeName: plan.network.servicesRangeName,
      },
      datapathProvider: "ADVANCED_DATAPATH",
      workloadIdentityConfig: { workloadPool: plan.workloadPool },
      verticalPodAutoscaling: plan.verticalPodAutoscaling ? { enabled: true } : undefined,
      releaseChannel: { channel: c.releaseChannel },
      enableShieldedNodes: true,
      resourceLabels: { ...plan.resourceLabels },
      costManagementConfig: { enabled: true },
      clusterAutoscaling: { autoscalingProfile: c.autoscalingProfile },
      loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
      monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } },
      addonsConfig: {
        gcePersistentDiskCsiDriverConfig: { enabled: true },
        httpLoadBalancing: { disabled: false },
        horizontalPodAutoscaling: { disabled: false },
      },
      maintenancePolicy: w
        ? w.recurrence
          ? { recurringWindow: { startTime: w.startTime, endTime: w.endTime ?? "", recurrence: w.recurrence } }
          : { dailyMaintenanceWindow: { startTime: w.startTime } }
        : undefined,
      privateClusterConfig: c.privateNodes
        ? {
            enablePrivateNodes: true,
            enablePrivateEndpoint: c.privateEndpoint,
            masterIpv4CidrBlock: c.masterIpv4Cidr,
          }
        : undefined,
      // GKE rejects a private endpoint without master authorized networks ("Master authorized
      // networks must be enabled if private endpoint is enabled", GoogleCloudPlatform/
      // magic-modules PR 8338): with no CIDR given the block is then enabled and empty (only
      // the VPC reaches the control plane).
      masterAuthorizedNetworksConfig:
        c.masterAuthorizedNetworks.length > 0 || c.privateEndpoint
          ? { cidrBlocks: c.masterAuthorizedNetworks.map((m) => ({ cidrBlock: m.cidr, displayName: m.name })) }
          : undefined,
      dependsOn: props.dependsOn,
      lifecycle: {
        // The removed default pool's settings: changing them must not replace the cluster.
        ignoreChanges: ["node_config", "initial_node_count"],
      },
    });
  }
}
