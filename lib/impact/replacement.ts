/**
 * Which attribute changes make Terraform replace a resource (destroy, then create) instead of
 * updating it in place, for every resource type this product synthesizes. Pure data.
 *
 * Sources, at the versions the prebuilt bindings wrap (@cdktf/provider-google 16.12.1 = google
 * 6.50.0, @cdktf/provider-helm 12.1.2 = helm 3.1.1, @cdktf/provider-kubernetes 12.1.1 =
 * kubernetes 2.38.0):
 * - google: `ForceNew: true` in hashicorp/terraform-provider-google v6.50.0
 *   `google/services/container/resource_container_cluster.go`, `resource_container_node_pool.go`,
 *   `node_config.go`, `google/services/compute/resource_compute_{network,subnetwork,router,router_nat}.go`,
 *   `google/services/resourcemanager/*`; plus `customdiff.ForceNewIfChange("ip_cidr_range",
 *   IsShrinkageIpCidr)` on subnetworks. A block-level `ForceNew` (e.g. `node_config`) only fires
 *   when the block itself is added or removed: each nested field has its own.
 * - helm: `stringplanmodifier.RequiresReplace()` on `name` and `namespace` only
 *   (hashicorp/terraform-provider-helm v3.1.1 `helm/resource_helm_release.go`); a changed
 *   `chart`, `repository`, `version` or `values` is a `helm upgrade` of the same release.
 * - kubernetes: `metadata.name`/`metadata.namespace` are ForceNew on every typed resource
 *   (hashicorp/terraform-provider-kubernetes v2.38.0 `kubernetes/schema_metadata.go`), plus the
 *   fields below; `kubernetes_manifest` replaces on `apiVersion`, `kind`, `metadata.name` and
 *   `metadata.namespace` (`manifest/provider/plan.go`).
 * - terraform_data: `triggers_replace` (Terraform's built-in resource).
 */

/** Paths are dotted attribute names without list indexes, e.g. `node_config.guest_accelerator`. */
const K8S_META = ["metadata.name", "metadata.namespace", "metadata.generate_name"];

export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  google_container_cluster: [
    "name", "location", "project", "network", "subnetwork", "description", "initial_node_count",
    "cluster_ipv4_cidr", "networking_mode", "datapath_provider", "default_max_pods_per_node",
    "enable_autopilot", "enable_kubernetes_alpha", "enable_tpu", "node_pool",
    "ip_allocation_policy", "private_cluster_config.enable_private_nodes",
    "private_cluster_config.master_ipv4_cidr_block", "private_cluster_config.private_endpoint_subnetwork",
    "confidential_nodes", "master_auth.client_certificate_config",
    "cluster_autoscaling.auto_provisioning_defaults.boot_disk_kms_key",
  ],
  google_container_node_pool: [
    "name", "name_prefix", "cluster", "location", "project", "initial_node_count", "max_pods_per_node",
    "placement_policy", "queued_provisioning", "network_config.create_pod_range", "network_config.pod_range",
    "network_config.pod_ipv4_cidr_block", "network_config.additional_node_network_configs",
    "network_config.additional_pod_network_configs", "network_config.pod_cidr_overprovision_config",
    // node_config fields (node_config.go); machine_type, disk_*, image_type, labels and taint update in place.
    "node_config.guest_accelerator", "node_config.local_ssd_count", "node_config.ephemeral_storage_local_ssd_config",
    "node_config.local_nvme_ssd_block_config", "node_config.oauth_scopes", "node_config.preemptible", "node_config.spot",
    "node_config.service_account", "node_config.metadata", "node_config.min_cpu_platform",
    "node_config.shielded_instance_config", "node_config.reservation_affinity", "node_config.advanced_machine_features",
    "node_config.boot_disk_kms_key", "node_config.sole_tenant_config", "node_config.host_maintenance_policy",
    "node_config.secondary_boot_disks", "node_config.node_group", "node_config.max_run_duration",
    "node_config.flex_start", "node_config.enable_confidential_storage", "node_config.local_ssd_encryption_mode",
    "node_config.confidential_nodes.confidential_instance_type",
  ],
  google_compute_network: ["name", "project", "auto_create_subnetworks", "description", "enable_ula_internal_ipv6", "internal_ipv6_range", "network_profile", "params"],
  google_compute_subnetwork: ["name", "project", "network", "region", "description", "enable_flow_logs", "external_ipv6_prefix", "ip_collection", "params", "reserved_internal_range"],
  google_compute_router: ["name", "project", "network", "region", "encrypted_interconnect_router"],
  google_compute_router_nat: ["name", "project", "region", "router", "type", "endpoint_types", "initial_nat_ips"],
  google_service_account: ["account_id", "project"],
  google_project_service: ["project", "service"],
  // IAM members have no update: every argument is ForceNew (iam_project.go, iam_service_account.go).
  google_project_iam_member: ["*"],
  google_service_account_iam_member: ["*"],
  google_storage_bucket_iam_member: ["*"],
  google_project_iam_custom_role: ["role_id", "project"],
  google_iam_workload_identity_pool: ["workload_identity_pool_id", "project"],
  google_iam_workload_identity_pool_provider: ["workload_identity_pool_id", "workload_identity_pool_provider_id", "project"],
  helm_release: ["name", "namespace"],
  kubernetes_namespace_v1: K8S_META,
  kubernetes_secret_v1: [...K8S_META, "type"],
  kubernetes_service_account_v1: K8S_META,
  kubernetes_role_v1: K8S_META,
  kubernetes_role_binding_v1: [...K8S_META, "role_ref"],
  kubernetes_priority_class_v1: [...K8S_META, "value", "preemption_policy"],
  kubernetes_cron_job_v1: K8S_META,
  kubernetes_service_v1: [...K8S_META, "spec.cluster_ip", "spec.cluster_ips", "spec.health_check_node_port", "spec.load_balancer_class"],
  kubernetes_network_policy_v1: K8S_META,
  kubernetes_manifest: ["manifest.apiVersion", "manifest.kind", "manifest.metadata.name", "manifest.metadata.namespace"],
  terraform_data: ["triggers_replace"],
};

/** Types whose replacement rules are known (every other type is reported as "not analysed"). */
export function knownType(type: string): boolean {
  return type in FORCE_NEW;
}

/**
 * The ForceNew attribute a changed path falls under, or undefined. `path` is a dotted path
 * without list indexes; a change at or below a ForceNew attribute forces, and so does adding or
 * removing a block (`path` is the block) that holds one.
 */
export function forcingAttribute(type: string, path: string): string | undefined {
  const rules = FORCE_NEW[type];
  if (!rules) return undefined;
  if (rules.includes("*")) return path;
  for (const f of rules) {
    if (path === f || path.startsWith(`${f}.`)) return f;
  }
  return undefined;
}

/** A subnetwork's `ip_cidr_range` forces replacement when it shrinks (customdiff.ForceNewIfChange). */
export function cidrShrinks(oldCidr: unknown, newCidr: unknown): boolean {
  const bits = (c: unknown) => (typeof c === "string" && /\/(\d+)$/.test(c) ? Number(/\/(\d+)$/.exec(c)![1]) : undefined);
  const a = bits(oldCidr);
  const b = bits(newCidr);
  if (a === undefined || b === undefined) return false;
  const base = (c: string) => c.split("/")[0];
  // A larger prefix length is a smaller range; a different base address is not an expansion.
  return b > a || base(String(oldCidr)) !== base(String(newCidr)) && b >= a;
}
