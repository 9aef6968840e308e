import { Construct } from "constructs";
import { Fn, ITerraformDependable, TerraformOutput, TerraformStack } from "cdktf";
import { ContainerCluster, DataGoogleClientConfig, GoogleProvider, ProjectService } from "../imports/google";
import type { ClusterBinding, IRunnersCluster } from "../cluster-access";
import type { RunnersConfig } from "../planning/input/schema";
import type { DeploymentPlan } from "../planning/deployment";
import { ClusterPlan, jobsKubernetesServiceAccounts } from "../planning/cluster";
import { GkeNetwork } from "../constructs/gke-network";
import { GkeSharedVpcGrants } from "../constructs/gke-shared-vpc-grants";
import { GkeIdentity } from "../constructs/gke-identity";
import { GkeCluster } from "../constructs/gke-cluster";
import { GkeNodePools } from "../constructs/gke-node-pools";
import { GithubOidc } from "../constructs/github-oidc";
import { CloudMonitoringDashboard } from "../constructs/cloud-monitoring-dashboard";
import { applyBackend } from "./backend";

/** Props of {@link ClusterStack}. */
export interface ClusterStackProps {
  /** The validated config (lib/planning/input/schema.ts). */
  readonly config: RunnersConfig;
  /** The deployment plan derived from {@link config} (lib/planning/deployment.ts, `planDeployment`). */
  readonly plan: DeploymentPlan;
}

/**
 * `<name>-cluster`: the GKE cluster the runners stack deploys onto (target `gke`): project
 * services, network (+ Cloud NAT for private nodes, + Shared VPC host grants when the config
 * allows), node and jobs service accounts, the cluster and its node pools.
 */
export class ClusterStack extends TerraformStack implements IRunnersCluster {
  readonly cluster: ContainerCluster;
  /**
   * The control plane address clients use: the private endpoint with
   * `cluster.privateEndpoint`, else `endpoint`. (Since hashicorp/google 6.11, `endpoint` can be
   * the public address even when the private endpoint is enabled: terraform-google-modules/
   * terraform-google-kubernetes-engine PR 2189.)
   */
  readonly endpoint: string;
  /** Everything planned for the cluster (names, pools, accounts). */
  readonly clusterPlan: ClusterPlan;
  /** Email of the jobs' Google service account (Workload Identity), when enabled. */
  readonly jobsServiceAccountEmail?: string;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const { config } = props;
    if (!props.plan.cluster) throw new Error("ClusterStack needs a deployment plan of target gke");
    const plan = props.plan.cluster;
    this.clusterPlan = plan;
    applyBackend(this, config.backend, id);
    new GoogleProvider(this, "google", { project: plan.projectId, region: plan.region });

    const services: ITerraformDependable[] = plan.services.map(
      (service) =>
        new ProjectService(this, `service-${service.split(".")[0]}`, {
          project: plan.projectId,
          service,
          // Other workloads may use these APIs: never turn them off on destroy.
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
    );

    const network = new GkeNetwork(this, "network", {
      network: plan.network,
      region: plan.region,
      nat: plan.nat,
      dependsOn: services,
    });

    const identity = new GkeIdentity(this, "identity", {
      projectId: plan.projectId,
      clusterName: plan.name,
      nodeServiceAccount: plan.nodeServiceAccount,
      jobsServiceAccount: plan.jobsServiceAccount,
      workloadPool: plan.workloadPool,
      kubernetesServiceAccounts: jobsKubernetesServiceAccounts(config),
      dependsOn: services,
    });
    this.jobsServiceAccountEmail = identity.jobsServiceAccountEmail;

    // Shared VPC: GKE's service agents may use the host project's subnet before the cluster is created.
    const hostGrants = plan.sharedVpc?.managed
      ? new GkeSharedVpcGrants(this, "shared-vpc-grants", {
          hostProject: plan.sharedVpc.hostProject,
          region: plan.region,
          subnetName: plan.network.subnetName,
          grants: plan.sharedVpc.grants,
        }).dependables
      : [];

    const cluster = new GkeCluster(this, "gke", {
      plan,
      networkRef: network.networkRef,
      subnetRef: network.subnetRef,
      nodeServiceAccountEmail: identity.nodeServiceAccountEmail,
      dependsOn: [...services, ...network.dependables, ...identity.nodeDependables, ...hostGrants],
    });
    this.cluster = cluster.cluster;
    this.endpoint = plan.controlPlane.privateEndpoint ? this.cluster.privateClusterConfig.privateEndpoint : this.cluster.endpoint;

    identity.bindAfter(this.cluster);

    new GkeNodePools(this, "pools", {
      projectId: plan.projectId,
      clusterName: this.cluster.name,
      location: plan.location,
      pools: plan.pools,
      serviceAccountEmail: identity.nodeServiceAccountEmail,
      resourceLabels: plan.resourceLabels,
      dependsOn: [...identity.nodeDependables, ...network.dependables],
    });

    const oidc = config.cluster.githubOidc;
    if (oidc) {
      new GithubOidc(this, "github-oidc", {
        projectId: plan.projectId,
        clusterName: plan.name,
        repository: oidc.repository,
        branch: oidc.branch,
        stateBucket: config.backend.type === "gcs" ? config.backend.bucket : undefined,
        enableServices: config.gcp.enableServices,
        dependsOn: services,
      });
    }

    // The dashboard of the runners' metrics (collected by managed Prometheus, monitoring.dashboard).
    const dashboard = props.plan.alerts.dashboard;
    if (dashboard?.kind === "cloud-monitoring") {
      new CloudMonitoringDashboard(this, "dashboard", { dashboard, project: plan.projectId });
    }

    new TerraformOutput(this, "cluster_name", { value: this.cluster.name, description: "GKE cluster name" });
    new TerraformOutput(this, "cluster_location", { value: this.cluster.location, description: "GKE cluster location (region or zone)" });
    new TerraformOutput(this, "cluster_endpoint", { value: this.endpoint, sensitive: true, description: "Control plane endpoint" });
    new TerraformOutput(this, "get_credentials", {
      value: `gcloud container clusters get-credentials ${plan.name} --${plan.regional ? "region" : "zone"} ${plan.location} --project ${plan.projectId}`,
      description: "Command that writes a kubeconfig entry for the cluster",
    });
    new TerraformOutput(this, "node_service_account", { value: identity.nodeServiceAccountEmail });
    if (identity.jobsServiceAccountEmail) {
      new TerraformOutput(this, "jobs_service_account", {
        value: identity.jobsServiceAccountEmail,
        description: "Google service account runner pods act as through Workload Identity",
      });
    }
  }

  /**
   * A consuming stack reaches the cluster through cross-stack references (cdktf turns them into
   * outputs of this stack, read there through `terraform_remote_state`) and a short-lived access
   * token of the deploying identity (`google_client_config`); the dependency makes
   * `cdktf deploy '*'` create the cluster first.
   */
  bind(stack: TerraformStack): ClusterBinding {
    new GoogleProvider(stack, "google", { project: this.clusterPlan.projectId, region: this.clusterPlan.region });
    const client = new DataGoogleClientConfig(stack, "client");
    stack.addDependency(this);
    return {
      access: {
        host: `https://${this.endpoint}`,
        token: client.accessToken,
        clusterCaCertificate: Fn.base64decode(this.cluster.masterAuth.clusterCaCertificate),
      },
      // Name and location are known at synth (plain values: cdktf marks cross-stack outputs
      // sensitive, which Terraform would refuse in a non-sensitive output).
      outputs: [
        { name: "cluster_name", value: this.clusterPlan.name, description: "GKE cluster the runners run on" },
        { name: "cluster_location", value: this.clusterPlan.location, description: "Region or zone of the cluster" },
        { name: "cluster_endpoint", value: this.endpoint, sensitive: true, description: "Control plane endpoint (terraform output -raw cluster_endpoint)" },
      ],
    };
  }
}
