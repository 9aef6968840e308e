/**
 * Issue 14 part 5, safer defaults: where the ARC listener pods run, the GKE control plane's
 * exposure, the Shared VPC host-project grants, and the engine's (absent) cloud identity.
 */
import { parseConfig } from "../lib/config/load";
import { helmValues, resources, synthConfig } from "./util";

const gke = (raw: Record<string, unknown> = {}) => ({ gcp: { projectId: "my-proj-123" }, ...raw });
const plan = (raw: Record<string, unknown>) => parseConfig(raw).plan;
const runnersStack = (s: { stacks: Record<string, any> }) => Object.entries(s.stacks).find(([n]) => n.endsWith("-runners"))![1];
const clusterStack = (s: { stacks: Record<string, any> }) => Object.entries(s.stacks).find(([n]) => n.endsWith("-cluster"))![1];
const releases = (stack: any, chart: string) => Object.values(resources(stack, "helm_release")).filter((r: any) => r.chart === chart) as any[];

/** The preference every default listener template carries (runner pods carry app.kubernetes.io/component=runner, ARC resourcebuilder.go at gha-runner-scale-set-0.14.2). */
const AWAY_FROM_RUNNERS = {
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        podAffinityTerm: {
          labelSelector: { matchLabels: { "app.kubernetes.io/component": "runner" } },
          namespaceSelector: {},
          topologyKey: "kubernetes.io/hostname",
        },
      },
    ],
  },
};
const LISTENER_WARNING = /ARC listener pods .* share the runners pool/;

describe("listener pods are placed where the controller runs", () => {
  test("existing-cluster, nothing set: ARC's own nodeSelector kept, runner nodes avoided, ARC's 60 s grace period kept", () => {
    const s = synthConfig({ target: "existing-cluster" });
    const sets = releases(runnersStack(s), "gha-runner-scale-set");
    expect(sets.length).toBe(3);
    for (const set of sets) {
      expect(helmValues(set).listenerTemplate).toEqual({
        spec: {
          nodeSelector: { "kubernetes.io/os": "linux" },
          affinity: AWAY_FROM_RUNNERS,
          terminationGracePeriodSeconds: 60,
          containers: [{ name: "listener" }],
        },
      });
    }
    expect(plan({ target: "existing-cluster" }).warnings.join("\n")).not.toMatch(LISTENER_WARNING);
  });

  test("arc.nodeSelector and arc.tolerations place the controller and every listener", () => {
    const tol = { key: "dedicated", operator: "Equal", value: "system", effect: "NoSchedule" };
    const s = synthConfig({ target: "existing-cluster", arc: { nodeSelector: { pool: "system" }, tolerations: [tol] } });
    const stack = runnersStack(s);
    const controller = helmValues(releases(stack, "gha-runner-scale-set-controller")[0]);
    expect([controller.nodeSelector, controller.tolerations]).toEqual([{ pool: "system" }, [tol]]);
    for (const set of releases(stack, "gha-runner-scale-set")) {
      const t = helmValues(set).listenerTemplate.spec;
      expect([t.nodeSelector, t.tolerations]).toEqual([{ "kubernetes.io/os": "linux", pool: "system" }, [tol]]);
    }
  });

  test("gke with a system pool: the pool exists, controller and listeners are pinned to it, no warning", () => {
    const raw = gke({ cluster: { nodePools: { system: {} } } });
    const s = synthConfig(raw);
    const pools = resources(clusterStack(s), "google_container_node_pool");
    const system = Object.values(pools).find((p: any) => p.name === "system") as any;
    expect([system.node_config.machine_type, system.autoscaling.total_min_node_count, system.node_config.taint]).toEqual(["e2-standard-2", 1, undefined]);
    expect(system.node_config.workload_metadata_config).toEqual({ mode: "GKE_METADATA" });
    const stack = runnersStack(s);
    expect(helmValues(releases(stack, "gha-runner-scale-set-controller")[0]).nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "system" });
    for (const set of releases(stack, "gha-runner-scale-set")) {
      expect(helmValues(set).listenerTemplate.spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux", "cloud.google.com/gke-nodepool": "system" });
    }
    // Runners and engines stay on the runners pool.
    expect(helmValues(releases(stack, "gha-runner-scale-set")[0]).template.spec.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners" });
    expect(plan(raw).warnings.join("\n")).not.toMatch(LISTENER_WARNING);
  });

  test("gke by default: the controller and listeners are pinned to the system pool, and nothing warns", () => {
    const p = plan(gke());
    expect(p.placement.arc).toEqual({ nodeSelector: { "cloud.google.com/gke-nodepool": "system" }, tolerations: [] });
    expect((p.listenerTemplate.spec as any).nodeSelector).toEqual({ "kubernetes.io/os": "linux", "cloud.google.com/gke-nodepool": "system" });
    expect(p.warnings.filter((w) => LISTENER_WARNING.test(w))).toEqual([]);
  });

  test("gke with system: false: the controller is unpinned, listeners only prefer other nodes, and the report says so", () => {
    const p = plan(gke({ cluster: { nodePools: { system: false } } }));
    expect(p.placement.arc).toEqual({ nodeSelector: {}, tolerations: [] });
    expect((p.listenerTemplate.spec as any).affinity).toEqual(AWAY_FROM_RUNNERS);
    expect(p.warnings.filter((w) => LISTENER_WARNING.test(w))).toEqual([
      "the ARC listener pods (each holds the GitHub credentials) share the runners pool with the jobs, kept off runner nodes by a scheduling preference only: remove cluster.nodePools.system: false (the default system pool gives the controller and listeners nodes of their own)",
    ]);
  });

  test("runners.listenerTemplate wins: its spec fields replace ours, the rest of ours stays, its metadata is kept", () => {
    const raw = gke({
      cluster: { nodePools: { system: {} } },
      runners: {
        listenerTemplate: {
          metadata: { labels: { team: "ci" } },
          spec: { nodeSelector: { pool: "mine" }, containers: [{ name: "listener", resources: { requests: { cpu: "50m" } } }] },
        },
      },
    });
    const s = synthConfig(raw);
    for (const set of releases(runnersStack(s), "gha-runner-scale-set")) {
      expect(helmValues(set).listenerTemplate).toEqual({
        metadata: { labels: { team: "ci" } },
        spec: {
          nodeSelector: { pool: "mine" },
          affinity: AWAY_FROM_RUNNERS,
          terminationGracePeriodSeconds: 60,
          containers: [{ name: "listener", resources: { requests: { cpu: "50m" } } }],
        },
      });
    }
    // A user's own nodeSelector is their placement: no warning about the runners pool.
    const own = gke({ runners: { listenerTemplate: { spec: { nodeSelector: { pool: "mine" } } } } });
    expect(plan(own).warnings.join("\n")).not.toMatch(LISTENER_WARNING);
  });
});

describe("GKE control plane exposure", () => {
  const PUBLIC = /control plane's public endpoint accepts connections from any IP address/;
  test("a public endpoint with no authorized networks is a warning (the default)", () => {
    expect(plan(gke()).warnings.filter((w) => PUBLIC.test(w))).toEqual([
      "cluster: the control plane's public endpoint accepts connections from any IP address (cluster.masterAuthorizedNetworks is empty): list the CIDRs that run cdktf deploy and kubectl there, or set cluster.privateNodes and cluster.privateEndpoint",
    ]);
  });
  test("authorized networks restrict it: no warning, and the cluster gets the CIDR blocks", () => {
    const raw = gke({ cluster: { masterAuthorizedNetworks: [{ cidr: "203.0.113.0/24", name: "office" }] } });
    expect(plan(raw).warnings.join("\n")).not.toMatch(PUBLIC);
    const cluster = Object.values(resources(clusterStack(synthConfig(raw)), "google_container_cluster"))[0] as any;
    expect(cluster.master_authorized_networks_config).toEqual({ cidr_blocks: [{ cidr_block: "203.0.113.0/24", display_name: "office" }] });
  });
  test("a private endpoint has no public endpoint to warn about", () => {
    expect(plan(gke({ cluster: { privateNodes: true, privateEndpoint: true } })).warnings.join("\n")).not.toMatch(PUBLIC);
  });
  test("existing-cluster: nothing to say (the stack does not own the control plane)", () => {
    expect(plan({ target: "existing-cluster" }).warnings.join("\n")).not.toMatch(PUBLIC);
  });
});

describe("Shared VPC host-project prerequisites", () => {
  const shared = (network: Record<string, unknown>) =>
    gke({ cluster: { network: { create: false, name: "shared-net", subnetName: "ci-nodes", hostProject: "host-proj-1", ...network } } });
  const GKE_AGENT = "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com";
  const APIS_AGENT = "serviceAccount:123456789012@cloudservices.gserviceaccount.com";

  test("cluster.network.hostGrants: the cluster stack grants GKE's service agents, and the cluster waits for them", () => {
    const stack = clusterStack(synthConfig(shared({ hostGrants: { projectNumber: "123456789012" } })));
    const subnet = Object.values(resources(stack, "google_compute_subnetwork_iam_member")) as any[];
    expect(subnet.map((m) => [m.project, m.region, m.subnetwork, m.role, m.member]).sort()).toEqual([
      ["host-proj-1", "us-central1", "ci-nodes", "roles/compute.networkUser", APIS_AGENT],
      ["host-proj-1", "us-central1", "ci-nodes", "roles/compute.networkUser", GKE_AGENT],
    ]);
    const project = (Object.values(resources(stack, "google_project_iam_member")) as any[]).filter((m) => m.project === "host-proj-1");
    expect(project.map((m) => [m.role, m.member])).toEqual([["roles/container.hostServiceAgentUser", GKE_AGENT]]);
    const cluster = Object.values(resources(stack, "google_container_cluster"))[0] as any;
    const grantRefs = [
      ...Object.keys(resources(stack, "google_compute_subnetwork_iam_member")).map((id) => `google_compute_subnetwork_iam_member.${id}`),
      ...Object.entries(resources(stack, "google_project_iam_member")).filter(([, m]: any) => m.project === "host-proj-1").map(([id]) => `google_project_iam_member.${id}`),
    ];
    expect(grantRefs.length).toBe(3);
    expect(cluster.depends_on).toEqual(expect.arrayContaining(grantRefs));
  });

  test("manageFirewall adds roles/compute.securityAdmin on the host project and drops the firewall warning", () => {
    const raw = shared({ hostGrants: { projectNumber: "123456789012", manageFirewall: true } });
    const project = (Object.values(resources(clusterStack(synthConfig(raw)), "google_project_iam_member")) as any[]).filter((m) => m.project === "host-proj-1");
    expect(project.map((m) => m.role).sort()).toEqual(["roles/compute.securityAdmin", "roles/container.hostServiceAgentUser"]);
    expect(plan(raw).warnings.join("\n")).not.toMatch(/firewall rules/);
  });

  test("without hostGrants nothing is granted, and the report lists each grant and the firewall rules", () => {
    const raw = shared({});
    const stack = clusterStack(synthConfig(raw));
    expect(resources(stack, "google_compute_subnetwork_iam_member")).toEqual({});
    expect((Object.values(resources(stack, "google_project_iam_member")) as any[]).filter((m) => m.project === "host-proj-1")).toEqual([]);
    const w = plan(raw).warnings.filter((x) => x.startsWith("cluster.network.hostProject"));
    expect(w).toEqual([
      "cluster.network.hostProject: before the cluster can be created, a Shared VPC admin of host-proj-1 grants: " +
        "roles/compute.networkUser on subnet projects/host-proj-1/regions/us-central1/subnetworks/ci-nodes to service-<project number of my-proj-123>@container-engine-robot.iam.gserviceaccount.com; " +
        "roles/compute.networkUser on subnet projects/host-proj-1/regions/us-central1/subnetworks/ci-nodes to <project number of my-proj-123>@cloudservices.gserviceaccount.com; " +
        "roles/container.hostServiceAgentUser on project host-proj-1 to service-<project number of my-proj-123>@container-engine-robot.iam.gserviceaccount.com " +
        "(or set cluster.network.hostGrants to let the cluster stack grant them)",
      "cluster.network.hostProject: GKE creates the cluster's firewall rules in host-proj-1 only if its service agent may (set cluster.network.hostGrants.manageFirewall, or grant it a role with compute.firewalls.*); otherwise a network admin of host-proj-1 creates them, at least the control plane to the nodes on TCP 443 and 10250",
    ]);
  });

  test("bad input: hostGrants without a host project, or a project id for a number", () => {
    expect(() => parseConfig(gke({ cluster: { network: { hostGrants: { projectNumber: "123456789012" } } } }))).toThrow(
      /cluster\.network\.hostGrants.*needs cluster\.network\.hostProject/,
    );
    expect(() => parseConfig(shared({ hostGrants: { projectNumber: "my-proj-123" } }))).toThrow(/cluster\.network\.hostGrants\.projectNumber.*is not a project number/);
  });
});

describe("the engine's Kubernetes service account has no cloud identity", () => {
  // Every pool the config can ask for, so every node pool's metadata mode is checked.
  const raw = gke({
    dagger: { engine: { mode: "statefulset" } },
    cluster: { nodePools: { engines: {}, system: {}, gpu: { accelerator: { type: "nvidia-l4" } } } },
    runners: { sizes: { "": { requests: { cpu: "500m", memory: "1Gi" } }, gpu: { requests: { cpu: "1", memory: "4Gi" } } } },
  });
  const s = synthConfig(raw);

  test("the engine releases name no ServiceAccount: the chart then uses the engines namespace's `default` (dagger-helm templates/_helpers.tpl)", () => {
    const engines = releases(runnersStack(s), "dagger-helm");
    expect(engines.length).toBeGreaterThan(0);
    for (const r of engines) {
      const v = helmValues(r).engine ?? {};
      expect([v.newServiceAccount, v.existingServiceAccount]).toEqual([undefined, undefined]);
    }
  });

  test("no IAM grant names a ServiceAccount of the engines namespace; Workload Identity binds only the runners' ServiceAccount", () => {
    const text = JSON.stringify(s.stacks);
    expect(text).not.toMatch(/svc\.id\.goog\[dagger-engines\//);
    expect(text).not.toMatch(/\/ns\/dagger-engines\//);
    const wi = Object.values(resources(clusterStack(s), "google_service_account_iam_member")) as any[];
    expect(wi.map((m) => [m.role, m.member])).toEqual([["roles/iam.workloadIdentityUser", "serviceAccount:my-proj-123.svc.id.goog[arc-runners/dagger-runner]"]]);
  });

  test("every node pool (and the cluster's initial one) serves pods the GKE metadata server, never the node's credentials", () => {
    const stack = clusterStack(s);
    const pools = Object.values(resources(stack, "google_container_node_pool")) as any[];
    expect(pools.map((p) => p.name).sort()).toEqual(["engines", "gpu", "runners", "system"]);
    for (const p of pools) expect(p.node_config.workload_metadata_config).toEqual({ mode: "GKE_METADATA" });
    const cluster = Object.values(resources(stack, "google_container_cluster"))[0] as any;
    expect(cluster.node_config.workload_metadata_config).toEqual({ mode: "GKE_METADATA" });
    expect(cluster.workload_identity_config).toEqual({ workload_pool: "my-proj-123.svc.id.goog" });
  });

  test("dagger.engine.chartValues that give the engines an identity get a warning", () => {
    const warn = (chartValues: Record<string, unknown>) =>
      plan(gke({ dagger: { engine: { chartValues } } })).warnings.filter((w) => w.startsWith("dagger.engine.chartValues.engine."));
    expect(warn({ engine: { newServiceAccount: { create: true, annotations: { "iam.gke.io/gcp-service-account": "ci@p.iam.gserviceaccount.com" } } } })).toEqual([
      'dagger.engine.chartValues.engine.newServiceAccount.annotations: maps the engines\' ServiceAccount to Google service account "ci@p.iam.gserviceaccount.com": the engine runs every job\'s Dagger functions, so each of them can use that identity through the metadata server; give pipelines cloud access through OIDC or Secrets passed to functions instead (docs/engines.md)',
    ]);
    expect(warn({ engine: { existingServiceAccount: { name: "builder" } } })).toHaveLength(1);
    expect(warn({ engine: { newServiceAccount: { create: true } } })).toEqual([]);
    expect(warn({ engine: { terminationGracePeriodSeconds: 60 } })).toEqual([]);
  });
});
