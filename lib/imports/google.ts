/**
 * Every hashicorp/google class this package uses, imported by deep path: the package barrel
 * costs about 3 s and 800 MB per synth. Keep provider imports in lib/imports/ only, so a swap
 * of bindings (e.g. to CDK Terrain) touches these files alone.
 */
export { GoogleProvider } from "@cdktf/provider-google/lib/provider";
export { ContainerCluster } from "@cdktf/provider-google/lib/container-cluster";
export { ContainerNodePool } from "@cdktf/provider-google/lib/container-node-pool";
export { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
export { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
export { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
export { ComputeRouter } from "@cdktf/provider-google/lib/compute-router";
export { ComputeRouterNat } from "@cdktf/provider-google/lib/compute-router-nat";
export { ServiceAccount as GoogleServiceAccount } from "@cdktf/provider-google/lib/service-account";
export { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
export { ComputeSubnetworkIamMember } from "@cdktf/provider-google/lib/compute-subnetwork-iam-member";
export { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
export { ProjectService } from "@cdktf/provider-google/lib/project-service";
export { IamWorkloadIdentityPool } from "@cdktf/provider-google/lib/iam-workload-identity-pool";
export { IamWorkloadIdentityPoolProvider } from "@cdktf/provider-google/lib/iam-workload-identity-pool-provider";
export { ProjectIamCustomRole } from "@cdktf/provider-google/lib/project-iam-custom-role";
export { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
export { MonitoringDashboard } from "@cdktf/provider-google/lib/monitoring-dashboard";
