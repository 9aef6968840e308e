/**
 * The `<name>-cluster` stack and the runners stack's cluster wiring, as synthesized.
 */
import * as os from "node:os";
import { App } from "cdktf";
import { buildStacks } from "../lib/app";
import { parseConfig } from "../lib/config/load";
import { Synthesized, helmValues, resources, synthConfig } from "./util";

const one = (stack: any, type: string): any => {
  const all = Object.values(resources(stack, type));
  expect(all).toHaveLength(1);
  return all[0];
};
const byName = (stack: any, type: string): Record<string, any> =>
  Object.fromEntries(Object.values(resources(stack, type)).map((r: any) => [r.name, r]));

describe("default gke deployment", () => {
  let s: Synthesized;
  let cluster: any;
  let runners: any;
  beforeAll(() => {
    s = synthConfig({ gcp: { projectId: "my-proj-123" } });
    cluster = s.stacks["dagger-runners-cluster"];
    runners = s.stacks["dagger-runners-runners"];
  });

  test("day two: a default maintenance window (weekends 00:00-12:00 UTC, 96 of GKE's required 48 hours in 32 days)", () => {
    expect(one(cluster, "google_container_cluster").maintenance_policy).toEqual({
      recurring_window: { start_time: "2026-01-03T00:00:00Z", end_time: "2026-01-03T12:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
    });
  });

  test("day two: surge upgrades take a node only after its replacement is up, and runner pods refuse eviction, so a drain waits for their jobs", () => {
    for (const p of Object.values(cluster.resource.google_container_node_pool) as any[]) {
      expect(p.upgrade_settings).toEqual({ strategy: "SURGE", max_surge: 1, max_unavailable: 0 });
    }
    const pdb = one(runners, "kubernetes_pod_disruption_budget_v1");
    // More than any number of runner pods: disruptionsAllowed stays 0, so no eviction is allowed.
    expect(pdb).toMatchObject({
      metadata: { name: "runners", namespace: expect.stringMatching(/^\$\{kubernetes_namespace_v1\.runner-namespaces_runners_/) },
      spec: { min_available: "100000", selector: { match_expressions: [{ key: "actions.github.com/scale-set-name", operator: "Exists" }] } },
    });
    expect(pdb.spec.max_unavailable).toBeUndefined();
  });

  test("two stacks: cluster and runners", () => {
    expect(Object.keys(s.stacks).sort()).toEqual(["dagger-runners-cluster", "dagger-runners-runners"]);
  });

  test("cluster: regional, VPC-native, Dataplane V2, Workload Identity, protected, default pool removed", () => {
    const c = one(cluster, "google_container_cluster");
    expect(c).toMatchObject({
      name: "dagger-runners",
      project: "my-proj-123",
      location: "us-central1",
      deletion_protection: true,
      remove_default_node_pool: true,
      datapath_provider: "ADVANCED_DATAPATH",
      networking_mode: "VPC_NATIVE",
      workload_identity_config: { workload_pool: "my-proj-123.svc.id.goog" },
      release_channel: { channel: "REGULAR" },
      ip_allocation_policy: { cluster_secondary_range_name: "dagger-runners-pods", services_secondary_range_name: "dagger-runners-services" },
      logging_config: { enable_components: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
      cluster_autoscaling: { autoscaling_profile: "BALANCED" },
      resource_labels: { "managed-by": "cdktf-dagger-runners", deployment: "dagger-runners" },
    });
    expect(c.network).toMatch(/^\$\{google_compute_network\..*\.self_link\}$/);
    expect(c.subnetwork).toMatch(/^\$\{google_compute_subnetwork\..*\.self_link\}$/);
    expect(c.vertical_pod_autoscaling).toBeUndefined();
    expect(c.private_cluster_config).toBeUndefined();
    expect(c.node_config.service_account).toMatch(/google_service_account\.identity_nodes_.*\.email/);
  });

  test("network: custom VPC, subnet with pods and services ranges, no NAT", () => {
    expect(one(cluster, "google_compute_network")).toMatchObject({ name: "dagger-runners", auto_create_subnetworks: false });
    expect(one(cluster, "google_compute_subnetwork")).toMatchObject({
      name: "dagger-runners-nodes",
      region: "us-central1",
      ip_cidr_range: "10.0.0.0/20",
      private_ip_google_access: true,
      secondary_ip_range: [
        { range_name: "dagger-runners-pods", ip_cidr_range: "10.4.0.0/14" },
        { range_name: "dagger-runners-services", ip_cidr_range: "10.8.0.0/20" },
      ],
    });
    expect(resources(cluster, "google_compute_router_nat")).toEqual({});
  });

  test("the runners pool: autoscaled totals, GKE metadata, node service account", () => {
    const p = byName(cluster, "google_container_node_pool").runners;
    expect(p).toMatchObject({
      name: "runners",
      location: "us-central1",
      autoscaling: { total_min_node_count: 1, total_max_node_count: 5, location_policy: "BALANCED" },
      management: { auto_repair: true, auto_upgrade: true },
      node_config: {
        machine_type: "n2-standard-8",
        disk_type: "pd-balanced",
        disk_size_gb: 200,
        spot: false,
        image_type: "COS_CONTAINERD",
        workload_metadata_config: { mode: "GKE_METADATA" },
        shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
      },
    });
    expect(p.cluster).toMatch(/google_container_cluster\..*\.name/);
    expect(p.node_config.taint).toBeUndefined();
  });

  test("IAM: least-privilege node roles, jobs account bound to the runners' KSA after the cluster", () => {
    const members = Object.values(resources(cluster, "google_project_iam_member")).map((m: any) => m.role).sort();
    expect(members).toEqual(["roles/artifactregistry.reader", "roles/container.defaultNodeServiceAccount"]);
    expect(Object.values(resources(cluster, "google_service_account")).map((a: any) => a.account_id).sort()).toEqual([
      "dagger-runners-jobs",
      "dagger-runners-nodes",
    ]);
    const wi = one(cluster, "google_service_account_iam_member");
    expect(wi).toMatchObject({
      role: "roles/iam.workloadIdentityUser",
      member: "serviceAccount:my-proj-123.svc.id.goog[arc-runners/dagger-runner]",
    });
    expect(wi.service_account_id).toMatch(/google_service_account\.identity_jobs_.*\.name/);
    expect(wi.depends_on).toEqual([expect.stringMatching(/^google_container_cluster\./)]);
  });

  test("project services enabled, never disabled on destroy", () => {
    const svcs = Object.values(resources(cluster, "google_project_service"));
    expect(svcs.map((x: any) => x.service).sort()).toEqual([
      "cloudresourcemanager.googleapis.com",
      "compute.googleapis.com",
      "container.googleapis.com",
      "iam.googleapis.com",
      // The default collector is gke-managed: managed Prometheus and the dashboard need Cloud Monitoring.
      "monitoring.googleapis.com",
    ]);
    expect(svcs.every((x: any) => x.disable_on_destroy === false)).toBe(true);
  });

  test("no Cloud Monitoring API without the gke-managed collector", () => {
    const { plan } = parseConfig({ gcp: { projectId: "my-proj-123" }, monitoring: { collector: "none" } });
    expect(plan.cluster!.services).not.toContain("monitoring.googleapis.com");
    expect(plan.cluster!.services).toContain("container.googleapis.com");
  });

  test("local backends", () => {
    expect(Object.keys(cluster.terraform.backend)).toEqual(["local"]);
    expect(Object.keys(runners.terraform.backend)).toEqual(["local"]);
  });

  test("runners stack: providers from the cluster stack through cross-stack references", () => {
    const remote = runners.data.terraform_remote_state;
    const [refName] = Object.keys(remote);
    expect(remote[refName]).toMatchObject({ backend: "local", config: { path: expect.stringMatching(/terraform\.dagger-runners-cluster\.tfstate$/) } });
    const k = runners.provider.kubernetes[0];
    expect(k.host).toMatch(new RegExp(`^https://\\$\\{data\\.terraform_remote_state\\.${refName}\\.outputs\\.cross-stack-output-google_container_cluster.*endpoint\\}$`));
    expect(k.cluster_ca_certificate).toMatch(/^\$\{base64decode\(data\.terraform_remote_state\..*master_auth0cluster_ca_certificate\)\}$/);
    expect(k.token).toBe("${data.google_client_config.client.access_token}");
    expect(runners.provider.helm[0].kubernetes).toEqual(k);
    // The referenced outputs exist in the cluster stack.
    const outs = Object.keys(cluster.output);
    expect(outs.some((o) => /endpoint$/.test(o) && o.startsWith("cross-stack-output-"))).toBe(true);
    expect(outs.some((o) => /cluster_ca_certificate$/.test(o))).toBe(true);
  });

  test("the runners stack depends on the cluster stack, so `cdktf deploy '*'` creates the cluster first", () => {
    const { config, plan } = parseConfig({ gcp: { projectId: "my-proj-123" } });
    const app = new App({ outdir: os.tmpdir(), skipValidation: true });
    const stacks = buildStacks(app, config, plan);
    expect(stacks.runners.dependencies).toContain(stacks.cluster);
    expect(stacks.cluster!.dependencies).toEqual([]);
  });

  test("runners stack outputs", () => {
    const o = runners.output;
    expect(o.cluster_name.value).toBe("dagger-runners");
    expect(o.cluster_location.value).toBe("us-central1");
    expect(o.cluster_endpoint.sensitive).toBe(true);
    expect(o.cluster_endpoint.value).toMatch(/terraform_remote_state/);
    expect(o.namespaces.value).toMatchObject({ controller: "arc-systems", runners: "arc-runners" });
    expect(Object.keys(o.runner_labels.value)).toContain("dagger-v0.20");
    expect(o.workflow_snippet.value).toContain("runs-on: dagger-v0.20\n");
  });

  test("cluster stack outputs", () => {
    expect(cluster.output.cluster_endpoint.sensitive).toBe(true);
    expect(cluster.output.get_credentials.value).toBe(
      "gcloud container clusters get-credentials dagger-runners --region us-central1 --project my-proj-123",
    );
  });
});

describe("private cluster, NAT, engine pool, GCS backend", () => {
  let cluster: any;
  let runners: any;
  beforeAll(() => {
    const s = synthConfig({
      name: "ci",
      gcp: { projectId: "my-proj-123", region: "europe-west4", zones: ["europe-west4-a", "europe-west4-b"] },
      cluster: {
        name: "ci-private",
        privateNodes: true,
        masterIpv4Cidr: "172.16.0.32/28",
        masterAuthorizedNetworks: [{ cidr: "203.0.113.0/24", name: "office" }],
        maintenanceWindow: { startTime: "2025-01-04T02:00:00Z", endTime: "2025-01-04T08:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
        releaseChannel: "STABLE",
        autoscalingProfile: "OPTIMIZE_UTILIZATION",
        resourceLabels: { team: "platform" },
        workloadIdentity: { roles: ["roles/artifactregistry.writer"] },
        nodePools: {
          runners: { spot: true, maxNodes: 10, labels: { "example.com/role": "ci" }, taints: [{ key: "example.com/ci", value: "true" }] },
          engines: { machineType: "n2-highmem-8", localSsdCount: 2 },
        },
      },
      runners: { namespace: "ci-runners", serviceAccountName: "ci-jobs" },
      dagger: { engine: { mode: "statefulset", vpa: { enabled: true } } },
      backend: { type: "gcs", bucket: "my-tf-state", prefix: "ci/runners" },
    });
    cluster = s.stacks["ci-cluster"];
    runners = s.stacks["ci-runners"];
  });

  test("private nodes, authorized networks, maintenance window, VPA", () => {
    const c = one(cluster, "google_container_cluster");
    expect(c).toMatchObject({
      name: "ci-private",
      location: "europe-west4",
      node_locations: ["europe-west4-a", "europe-west4-b"],
      private_cluster_config: { enable_private_nodes: true, enable_private_endpoint: false, master_ipv4_cidr_block: "172.16.0.32/28" },
      master_authorized_networks_config: { cidr_blocks: [{ cidr_block: "203.0.113.0/24", display_name: "office" }] },
      maintenance_policy: {
        recurring_window: { start_time: "2025-01-04T02:00:00Z", end_time: "2025-01-04T08:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
      },
      vertical_pod_autoscaling: { enabled: true },
      release_channel: { channel: "STABLE" },
      cluster_autoscaling: { autoscaling_profile: "OPTIMIZE_UTILIZATION" },
      resource_labels: { team: "platform", deployment: "ci" },
    });
    expect(c.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_compute_router_nat\./)]));
  });

  test("Cloud Router and NAT for the cluster's subnet only", () => {
    expect(one(cluster, "google_compute_router")).toMatchObject({ name: "ci-private-router", region: "europe-west4" });
    const nat = one(cluster, "google_compute_router_nat");
    expect(nat).toMatchObject({
      name: "ci-private-nat",
      region: "europe-west4",
      nat_ip_allocate_option: "AUTO_ONLY",
      source_subnetwork_ip_ranges_to_nat: "LIST_OF_SUBNETWORKS",
      subnetwork: [{ source_ip_ranges_to_nat: ["ALL_IP_RANGES"] }],
    });
    expect(nat.subnetwork[0].name).toMatch(/google_compute_subnetwork\..*\.self_link/);
    expect(nat.router).toMatch(/google_compute_router\..*\.name/);
  });

  test("spot runners pool and a tainted SSD engines pool", () => {
    const pools = byName(cluster, "google_container_node_pool");
    expect(Object.keys(pools).sort()).toEqual(["engines", "runners", "system"]);
    expect(pools.runners.node_config.spot).toBe(true);
    expect(pools.runners.autoscaling).toMatchObject({ total_max_node_count: 10, location_policy: "ANY" });
    expect(pools.engines.node_config).toMatchObject({
      machine_type: "n2-highmem-8",
      disk_type: "pd-ssd",
      taint: [{ key: "dagger.io/engine", value: "true", effect: "NO_SCHEDULE" }],
      ephemeral_storage_local_ssd_config: { local_ssd_count: 2 },
      resource_labels: { "node-pool": "engines", team: "platform" },
    });
  });

  test("jobs account gets its roles", () => {
    const roles = Object.values(resources(cluster, "google_project_iam_member")).map((m: any) => m.role);
    expect(roles).toContain("roles/artifactregistry.writer");
  });

  test("Workload Identity binds runners.serviceAccountName in runners.namespace, the ServiceAccount the runners stack creates", () => {
    const wi = one(cluster, "google_service_account_iam_member");
    expect(wi.member).toBe("serviceAccount:my-proj-123.svc.id.goog[ci-runners/ci-jobs]");
    const sa = Object.values(resources(runners, "kubernetes_service_account_v1")).find((x: any) => x.metadata.name === "ci-jobs") as any;
    // The namespace is a reference to the created runners namespace, named runners.namespace.
    const [, nsId] = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(sa.metadata.namespace)!;
    expect(resources(runners, "kubernetes_namespace_v1")[nsId].metadata.name).toBe("ci-runners");
    expect(sa.metadata.annotations).toEqual({ "iam.gke.io/gcp-service-account": "ci-private-jobs@my-proj-123.iam.gserviceaccount.com" });
  });

  test("runners pool labels and taints reach the nodes, and runner pods tolerate the taint", () => {
    const pools = byName(cluster, "google_container_node_pool");
    expect(pools.runners.node_config.labels).toEqual({ "example.com/role": "ci" });
    expect(pools.runners.node_config.taint).toEqual([{ key: "example.com/ci", value: "true", effect: "NO_SCHEDULE" }]);
    const sets = Object.values(resources(runners, "helm_release")).filter((r: any) => r.chart === "gha-runner-scale-set");
    expect(sets.length).toBeGreaterThan(0);
    for (const r of sets) {
      const spec = helmValues(r).template.spec;
      expect(spec.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners" });
      expect(spec.tolerations).toEqual([{ key: "example.com/ci", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    }
  });

  test("the engines pool does not pick the cache's StorageClass: unset, the PVC uses the cluster default", () => {
    // A pool added later must not change the StatefulSet's volumeClaimTemplates (immutable).
    const engine = Object.values(resources(runners, "helm_release")).find((r: any) => /dagger-helm/.test(r.chart)) as any;
    const pvc = helmValues(engine).engine.statefulSet.persistentVolumeClaim;
    expect(pvc.enabled).toBe(true);
    expect(pvc).not.toHaveProperty("storageClassName");
  });

  test("GCS backends, one prefix per stack; remote state reads the cluster's prefix", () => {
    expect(cluster.terraform.backend).toEqual({ gcs: { bucket: "my-tf-state", prefix: "ci/runners/ci-cluster" } });
    expect(runners.terraform.backend).toEqual({ gcs: { bucket: "my-tf-state", prefix: "ci/runners/ci-runners" } });
    const remote: any = Object.values(runners.data.terraform_remote_state)[0];
    expect(remote).toMatchObject({ backend: "gcs", config: { bucket: "my-tf-state", prefix: "ci/runners/ci-cluster" } });
    expect(JSON.stringify(cluster.terraform.backend)).not.toMatch(/storeage/i);
  });

  test("engines are placed on the engines pool", () => {
    const text = JSON.stringify(runners);
    expect(text).toContain("cloud.google.com/gke-nodepool");
    expect(text).toContain("dagger.io/engine");
  });
});

describe("existing Shared VPC network, zonal, GPU pool, existing node account", () => {
  let cluster: any;
  beforeAll(() => {
    cluster = synthConfig({
      gcp: { projectId: "svc-proj-123", zones: ["us-central1-c"], enableServices: false },
      runners: { sizes: { "": {}, gpu: {} } },
      cluster: {
        regional: false,
        deletionProtection: false,
        privateNodes: true,
        nat: false,
        nodeServiceAccount: "gke-nodes@svc-proj-123.iam.gserviceaccount.com",
        workloadIdentity: { enabled: false },
        network: { create: false, hostProject: "host-proj-123", name: "shared", subnetName: "gke-ci", podsRangeName: "pods", servicesRangeName: "svcs" },
        nodePools: { gpu: { accelerator: { type: "nvidia-l4", count: 1, driverVersion: "LATEST" } } },
      },
    }).stacks["dagger-runners-cluster"];
  });

  test("cluster in the zone, on the host project's network", () => {
    const c = one(cluster, "google_container_cluster");
    expect(c).toMatchObject({
      location: "us-central1-c",
      deletion_protection: false,
      network: "projects/host-proj-123/global/networks/shared",
      subnetwork: "projects/host-proj-123/regions/us-central1/subnetworks/gke-ci",
      ip_allocation_policy: { cluster_secondary_range_name: "pods", services_secondary_range_name: "svcs" },
    });
    expect(c.node_locations).toBeUndefined();
    expect(resources(cluster, "google_compute_network")).toEqual({});
    expect(resources(cluster, "google_compute_router_nat")).toEqual({});
  });

  test("no created accounts, grants or services", () => {
    expect(resources(cluster, "google_service_account")).toEqual({});
    expect(resources(cluster, "google_project_iam_member")).toEqual({});
    expect(resources(cluster, "google_project_service")).toEqual({});
    expect(resources(cluster, "google_service_account_iam_member")).toEqual({});
  });

  test("gpu pool with accelerator and driver", () => {
    const pools = byName(cluster, "google_container_node_pool");
    expect(pools.gpu.node_config).toMatchObject({
      machine_type: "g2-standard-8",
      service_account: "gke-nodes@svc-proj-123.iam.gserviceaccount.com",
      guest_accelerator: [{ type: "nvidia-l4", count: 1, gpu_driver_installation_config: { gpu_driver_version: "LATEST" } }],
    });
    expect(pools.gpu.autoscaling).toMatchObject({ total_min_node_count: 0, total_max_node_count: 2 });
    expect(pools.gpu.location).toBe("us-central1-c");
  });
});

describe("private endpoint", () => {
  let cluster: any;
  let runners: any;
  beforeAll(() => {
    const s = synthConfig({ name: "pe", gcp: { projectId: "my-proj-123" }, cluster: { privateNodes: true, privateEndpoint: true } });
    cluster = s.stacks["pe-cluster"];
    runners = s.stacks["pe-runners"];
  });

  test("master authorized networks enabled (GKE requires it with a private endpoint), PSC without a master CIDR", () => {
    const c = one(cluster, "google_container_cluster");
    expect(c.private_cluster_config).toEqual({ enable_private_nodes: true, enable_private_endpoint: true });
    expect(c.master_authorized_networks_config).toEqual({ cidr_blocks: [] });
  });

  test("the runners stack and the outputs use the private endpoint", () => {
    expect(runners.provider.kubernetes[0].host).toMatch(/^https:\/\/\$\{data\.terraform_remote_state\..*private_cluster_config0private_endpoint\}$/);
    expect(runners.provider.helm[0].kubernetes.host).toBe(runners.provider.kubernetes[0].host);
    expect(runners.output.cluster_endpoint.value).toMatch(/private_cluster_config0private_endpoint/);
    expect(cluster.output.cluster_endpoint.value).toMatch(/\.private_cluster_config\[0\]\.private_endpoint\}$/);
  });
});

describe("existing-cluster target", () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthConfig({ target: "existing-cluster", kubernetes: { configPath: "/home/ci/.kube/config", context: "prod" } });
  });
  test("only the runners stack, providers from the kubeconfig", () => {
    expect(Object.keys(s.stacks)).toEqual(["dagger-runners-runners"]);
    const r = s.stacks["dagger-runners-runners"];
    expect(r.provider.kubernetes[0]).toEqual({ config_path: "/home/ci/.kube/config", config_context: "prod" });
    expect(r.provider.helm[0].kubernetes).toEqual({ config_path: "/home/ci/.kube/config", config_context: "prod" });
    expect(r.provider.google).toBeUndefined();
    expect(r.data?.terraform_remote_state).toBeUndefined();
    expect(r.output.kubernetes_context.value).toBe("/home/ci/.kube/config#prod");
    expect(r.output.cluster_endpoint).toBeUndefined();
  });
});
