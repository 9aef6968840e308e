import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { ContainerCluster, ContainerNodePool, GoogleProvider } from "../imports/google";
import type { RunnersConfig } from "../config/schema";
import type { DeploymentPlan } from "../planning/deployment";
import { applyBackend } from "./backend";

export interface ClusterStackProps {
  readonly config: RunnersConfig;
  readonly plan: DeploymentPlan;
}

/** `<name>-cluster`: the GKE cluster the runners stack deploys onto (target `gke`). */
export class ClusterStack extends TerraformStack {
  readonly cluster: ContainerCluster;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const { config } = props;
    applyBackend(this, config.backend, id);
    new GoogleProvider(this, "google", { project: config.gcp.projectId, region: config.gcp.region });

    this.cluster = new ContainerCluster(this, "cluster", {
      name: config.cluster.name ?? config.name,
      location: config.gcp.region,
      deletionProtection: true,
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      datapathProvider: "ADVANCED_DATAPATH",
      workloadIdentityConfig: { workloadPool: `${config.gcp.projectId}.svc.id.goog` },
    });
    new ContainerNodePool(this, "runners-pool", {
      name: "runners",
      cluster: this.cluster.name,
      location: config.gcp.region,
      autoscaling: { minNodeCount: 0, maxNodeCount: 3 },
      nodeConfig: { machineType: "n2-standard-8", workloadMetadataConfig: { mode: "GKE_METADATA" } },
    });
    new TerraformOutput(this, "cluster_name", { value: this.cluster.name });
  }
}
