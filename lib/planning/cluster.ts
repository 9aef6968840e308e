/**
 * GKE cluster planning: every name, location and setting the `<name>-cluster` stack builds,
 * derived once from the validated config. Pure code (no cdktf import).
 */
import { defaultCollector } from "./monitoring";
import type { RunnersConfig } from "./input/schema";
import type { NodeTaint } from "./input/cluster";
import { PlanError } from "./errors";
import { clusterLocation, isGcpName, serviceAccountId } from "./network";

/** The node pools this package knows, in creation order. */
export const POOL_KEYS = ["runners", "engines", "gpu", "system"] as const;
export type PoolKey = (typeof POOL_KEYS)[number];

/** Label GKE puts on every node: the node pool's name. */
export const NODE_POOL_LABEL = "cloud.google.com/gke-nodepool";

/** Taint GKE adds to GPU nodes (GKE docs, "Run GPUs in Standard node pools"). */
export const GPU_TAINT: NodeTaint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };

/** Least-privilege roles of the node service account (GKE "Configure node service accounts"). */
export const NODE_SA_ROLES = ["roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"] as const;

/**
 * Project services the stacks use: networks and NAT (compute), the cluster (container),
 * service accounts (iam), and project IAM grants (`google_project_iam_member` reads and writes
 * the project's policy through the Cloud Resource Manager API).
 */
export const REQUIRED_SERVICES = [
  "compute.googleapis.com",
  "container.googleapis.com",
  "iam.googleapis.com",
  "cloudresourcemanager.googleapis.com",
] as const;
/** The Cloud Monitoring API: managed Prometheus (PodMonitoring, Rules) and the dashboard use it. */
export const MONITORING_SERVICE = "monitoring.googleapis.com";

export interface AcceleratorPlan {
  readonly type: string;
  readonly count: number;
  readonly driverVersion: string;
}

export interface PoolPlan {
  readonly key: PoolKey;
  /** GKE node pool name (the value of the `cloud.google.com/gke-nodepool` node label). */
  readonly name: string;
  /** Config key path, e.g. `cluster.nodePools.engines`. */
  readonly configPath: string;
  readonly machineType: string;
  readonly diskType: string;
  readonly diskSizeGb: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly spot: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Taints the stack sets. */
  readonly taints: readonly NodeTaint[];
  /** Taints GKE adds by itself (the GPU taint); pods landing there must tolerate them too. */
  readonly implicitTaints: readonly NodeTaint[];
  readonly localSsdCount: number;
  readonly accelerator?: AcceleratorPlan;
  /** gpu pool only: the runner size that runs there. */
  readonly runnerSize?: string;
  /**
   * gpu pool only: GPU engines run there (`cluster.nodePools.gpu.engines`), each requesting
   * `gpus` (`engineGpus`, default the accelerator count); the runners of {@link runnerSize} use them.
   */
  readonly gpuEngines?: { readonly gpus: number };
}

export interface NetworkPlan {
  /** The stack creates the VPC and subnet. */
  readonly create: boolean;
  /** Project owning the network (the Shared VPC host project, or gcp.projectId). */
  readonly project: string;
  readonly name: string;
  readonly subnetName: string;
  readonly subnetCidr: string;
  readonly podsRangeName: string;
  readonly podsCidr: string;
  readonly servicesRangeName: string;
  readonly servicesCidr: string;
  /** `projects/<p>/global/networks/<name>`. */
  readonly networkId: string;
  /** `projects/<p>/regions/<region>/subnetworks/<subnet>`. */
  readonly subnetId: string;
  readonly sharedVpc: boolean;
}

/** One IAM grant GKE's service agents need in a Shared VPC host project. */
export interface HostGrant {
  /** Where: the cluster's subnet, or the host project. */
  readonly scope: "subnet" | "project";
  readonly role: string;
  /** `serviceAccount:<agent email>`. */
  readonly member: string;
}

/**
 * Shared VPC prerequisites in the host project (GKE "Setting up clusters with Shared VPC",
 * https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-shared-vpc, "Enabling and
 * granting roles"; the same set as GoogleCloudPlatform/cloud-foundation-fabric
 * `modules/project/sharedvpc-agent-iam.yaml`): the service project's GKE service agent
 * `service-<number>@container-engine-robot.iam.gserviceaccount.com` needs
 * `roles/compute.networkUser` on the subnet and `roles/container.hostServiceAgentUser` on the host
 * project; its Google APIs service agent `<number>@cloudservices.gserviceaccount.com` needs
 * `roles/compute.networkUser` on the subnet. Managing the cluster's firewall rules in the host
 * project takes firewall permissions (`roles/compute.securityAdmin`).
 */
export interface SharedVpcPlan {
  readonly hostProject: string;
  /** The cluster stack makes the grants (`cluster.network.hostGrants`). */
  readonly managed: boolean;
  /** GKE's service agent also gets `roles/compute.securityAdmin` on the host project. */
  readonly manageFirewall: boolean;
  /** The grants, with the agents' real emails when the project number is known, else placeholders. */
  readonly grants: readonly HostGrant[];
}

/** GKE's service agent and the Google APIs service agent of a project, by project number. */
export function serviceAgents(projectNumber: string): { gke: string; cloudServices: string } {
  return { gke: `service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`, cloudServices: `${projectNumber}@cloudservices.gserviceaccount.com` };
}

/** The Shared VPC grants GKE needs (see {@link SharedVpcPlan}). */
export function sharedVpcGrants(projectNumber: string, manageFirewall: boolean): HostGrant[] {
  const a = serviceAgents(projectNumber);
  return [
    { scope: "subnet", role: "roles/compute.networkUser", member: `serviceAccount:${a.gke}` },
    { scope: "subnet", role: "roles/compute.networkUser", member: `serviceAccount:${a.cloudServices}` },
    { scope: "project", role: "roles/container.hostServiceAgentUser", member: `serviceAccount:${a.gke}` },
    ...(manageFirewall ? [{ scope: "project" as const, role: "roles/compute.securityAdmin", member: `serviceAccount:${a.gke}` }] : []),
  ];
}

/** The control plane and cluster-wide settings of the GKE cluster. */
export interface ControlPlanePlan {
  readonly releaseChannel: "RAPID" | "REGULAR" | "STABLE" | "EXTENDED";
  readonly autoscalingProfile: "BALANCED" | "OPTIMIZE_UTILIZATION";
  /** Terraform refuses to delete the cluster while true. */
  readonly deletionProtection: boolean;
  /** A recurring window (with `recurrence`) or a daily one (start time only). */
  readonly maintenanceWindow?: { readonly startTime: string; readonly endTime?: string; readonly recurrence?: string };
  readonly privateNodes: boolean;
  readonly privateEndpoint: boolean;
  /** The control plane's /28 with private nodes. */
  readonly masterIpv4Cidr?: string;
  /** CIDRs allowed to reach the control plane, each with its display name. */
  readonly masterAuthorizedNetworks: readonly { readonly cidr: string; readonly name: string }[];
}

export interface ClusterPlan {
  readonly name: string;
  readonly projectId: string;
  readonly region: string;
  /** `location` of the cluster and pools: the region (regional) or a zone. */
  readonly location: string;
  /** Extra node locations (empty: GKE's default). */
  readonly nodeLocations: readonly string[];
  readonly regional: boolean;
  readonly network: NetworkPlan;
  /** Shared VPC prerequisites in the host project (set with `cluster.network.hostProject`). */
  readonly sharedVpc?: SharedVpcPlan;
  /** Cloud Router + NAT, when enabled. */
  readonly nat?: { readonly routerName: string; readonly natName: string };
  /** The node service account: created (`accountId` set) or existing. */
  readonly nodeServiceAccount: { readonly accountId?: string; readonly email: string; readonly roles: readonly string[] };
  /** `<project>.svc.id.goog`. */
  readonly workloadPool: string;
  /** The jobs' Google service account, when enabled. */
  readonly jobsServiceAccount?: { readonly accountId: string; readonly email: string; readonly roles: readonly string[] };
  readonly pools: readonly PoolPlan[];
  /** Vertical Pod Autoscaling on the cluster (the engines use VPA). */
  readonly verticalPodAutoscaling: boolean;
  /** The control plane and cluster-wide settings, resolved from the `cluster` section. */
  readonly controlPlane: ControlPlanePlan;
  /** GCP labels of the cluster and node VMs. */
  readonly resourceLabels: Readonly<Record<string, string>>;
  readonly services: readonly string[];
  /** Things to tell the user (synth warnings). */
  readonly warnings: readonly string[];
}

/**
 * Which machine series an accelerator needs (GCE GPU docs). Types not listed are not checked.
 */
const ACCELERATOR_SERIES: Readonly<Record<string, readonly string[]>> = {
  "nvidia-l4": ["g2"],
  "nvidia-tesla-t4": ["n1"],
  "nvidia-tesla-v100": ["n1"],
  "nvidia-tesla-p4": ["n1"],
  "nvidia-tesla-p100": ["n1"],
  "nvidia-tesla-a100": ["a2"],
  "nvidia-a100-80gb": ["a2"],
  "nvidia-h100-80gb": ["a3"],
  "nvidia-h100-mega-80gb": ["a3"],
};

/** Plans the cluster of target `gke`; throws {@link PlanError} on impossible names or locations. */
export function planCluster(config: RunnersConfig): ClusterPlan {
  const c = config.cluster;
  const name = c.name ?? config.name;
  const namePath = c.name === undefined ? "name" : "cluster.name";
  if (!isGcpName(name, 40)) {
    throw new PlanError(namePath, name, "is not a valid GKE cluster name (at most 40 lowercase letters, digits and \"-\", starting with a letter); set cluster.name");
  }
  const projectId = config.gcp.projectId;
  const region = config.gcp.region;
  const loc = clusterLocation(region, config.gcp.zones, c.regional);
  if (typeof loc === "string") throw new PlanError("cluster.regional", c.regional, loc);

  const n = c.network;
  const netProject = n.hostProject ?? projectId;
  const netName = n.name ?? name;
  const subnetName = n.subnetName ?? `${name}-nodes`;
  const network: NetworkPlan = {
    create: n.create,
    project: netProject,
    name: netName,
    subnetName,
    subnetCidr: n.subnetCidr,
    podsRangeName: n.podsRangeName ?? `${name}-pods`,
    podsCidr: n.podsCidr,
    servicesRangeName: n.servicesRangeName ?? `${name}-services`,
    servicesCidr: n.servicesCidr,
    networkId: `projects/${netProject}/global/networks/${netName}`,
    subnetId: `projects/${netProject}/regions/${region}/subnetworks/${subnetName}`,
    sharedVpc: n.hostProject !== undefined,
  };

  const warnings: string[] = [];
  const natEnabled = c.nat ?? c.privateNodes;
  if (c.privateNodes && !natEnabled) {
    warnings.push(`cluster.nat is off with private nodes on an existing network: make sure ${network.networkId} has Cloud NAT in ${region}, or runners cannot reach GitHub`);
  }
  if (natEnabled && network.sharedVpc) {
    warnings.push(`cluster.nat creates a Cloud Router and NAT in the Shared VPC host project ${netProject}: the deploying identity needs compute.routers.* there`);
  }
  if (!c.privateEndpoint && c.masterAuthorizedNetworks.length === 0) {
    // GKE "Add authorized networks for control plane access": without authorized networks the
    // public endpoint accepts connections from any address (authentication still applies).
    warnings.push(
      "cluster: the control plane's public endpoint accepts connections from any IP address (cluster.masterAuthorizedNetworks is empty): list the CIDRs that run cdktf deploy and kubectl there, or set cluster.privateNodes and cluster.privateEndpoint",
    );
  }
  let sharedVpc: SharedVpcPlan | undefined;
  if (n.hostProject !== undefined) {
    const g = n.hostGrants;
    sharedVpc = {
      hostProject: n.hostProject,
      managed: g !== undefined,
      manageFirewall: g?.manageFirewall ?? false,
      grants: sharedVpcGrants(g?.projectNumber ?? `<project number of ${projectId}>`, g?.manageFirewall ?? false),
    };
    const list = sharedVpc.grants.map((x) => `${x.role} on ${x.scope === "subnet" ? `subnet ${network.subnetId}` : `project ${n.hostProject}`} to ${x.member.replace(/^serviceAccount:/, "")}`).join("; ");
    warnings.push(
      g
        ? `cluster.network.hostGrants: the cluster stack grants in Shared VPC host project ${n.hostProject}: ${list}; the deploying identity needs resourcemanager.projects.setIamPolicy on ${n.hostProject} and compute.subnetworks.setIamPolicy on the subnet`
        : `cluster.network.hostProject: before the cluster can be created, a Shared VPC admin of ${n.hostProject} grants: ${list} (or set cluster.network.hostGrants to let the cluster stack grant them)`,
    );
    if (!sharedVpc.manageFirewall) {
      warnings.push(
        `cluster.network.hostProject: GKE creates the cluster's firewall rules in ${n.hostProject} only if its service agent may (set cluster.network.hostGrants.manageFirewall, or grant it a role with compute.firewalls.*); otherwise a network admin of ${n.hostProject} creates them, at least the control plane to the nodes on TCP 443 and 10250`,
      );
    }
  }
  if (c.privateEndpoint) {
    warnings.push("cluster.privateEndpoint: the runners stack reaches the control plane's private endpoint, so `cdktf deploy` must run inside the VPC (or through a peered network or VPN)");
  }

  const nodeSa: ClusterPlan["nodeServiceAccount"] = c.nodeServiceAccount
    ? { email: c.nodeServiceAccount, roles: [] }
    : (() => {
        const accountId = serviceAccountId(name, "nodes");
        return { accountId, email: `${accountId}@${projectId}.iam.gserviceaccount.com`, roles: [...NODE_SA_ROLES] };
      })();

  const wi = c.workloadIdentity;
  const jobsId = wi.serviceAccountId ?? serviceAccountId(name, "jobs");
  if (wi.enabled && nodeSa.accountId === jobsId) {
    throw new PlanError("cluster.workloadIdentity.serviceAccountId", jobsId, "conflicts with the node service account's id (choose another id)");
  }
  const jobsServiceAccount = wi.enabled
    ? { accountId: jobsId, email: `${jobsId}@${projectId}.iam.gserviceaccount.com`, roles: [...wi.roles] }
    : undefined;

  const pools: PoolPlan[] = [];
  for (const key of POOL_KEYS) {
    const p = c.nodePools[key];
    if (!p) continue;
    const configPath = `cluster.nodePools.${key}`;
    const gpu = key === "gpu" ? c.nodePools.gpu : undefined;
    const accelerator = gpu?.accelerator.type
      ? { type: gpu.accelerator.type, count: gpu.accelerator.count, driverVersion: gpu.accelerator.driverVersion }
      : undefined;
    if (accelerator) {
      const series = ACCELERATOR_SERIES[accelerator.type];
      const machineSeries = p.machineType.split("-")[0];
      if (series && !series.includes(machineSeries)) {
        warnings.push(`${configPath}.machineType "${p.machineType}" does not take accelerator ${accelerator.type} (it needs a ${series.join(" or ")}-* machine type)`);
      }
    }
    if (gpu && !gpu.engines) {
      for (const k of ["engineGpus", "engineImage"] as const) {
        if (gpu[k] !== undefined) warnings.push(`${configPath}.${k} is ignored: ${configPath}.engines is false (no GPU engines)`);
      }
    }
    if (key === "engines" && p.spot) {
      warnings.push(`${configPath}.spot: a reclaimed engine node fails every job running on its engines until they are rescheduled (the cache disk survives and re-attaches)`);
    }
    pools.push({
      key,
      name: key,
      configPath,
      machineType: p.machineType,
      diskType: p.diskType,
      diskSizeGb: p.diskSizeGb,
      minNodes: p.minNodes,
      maxNodes: p.maxNodes,
      spot: p.spot,
      labels: p.labels,
      taints: p.taints,
      implicitTaints: accelerator ? [GPU_TAINT] : [],
      localSsdCount: p.localSsdCount,
      accelerator,
      runnerSize: gpu?.runnerSize,
      gpuEngines: gpu?.engines && accelerator ? { gpus: gpu.engineGpus ?? accelerator.count } : undefined,
    });
  }

  return {
    name,
    projectId,
    region,
    location: loc.location,
    nodeLocations: loc.nodeLocations,
    regional: c.regional,
    network,
    sharedVpc,
    nat: natEnabled ? { routerName: `${name}-router`, natName: `${name}-nat` } : undefined,
    nodeServiceAccount: nodeSa,
    workloadPool: `${projectId}.svc.id.goog`,
    jobsServiceAccount,
    pools,
    verticalPodAutoscaling: config.dagger.engine.vpa.enabled,
    controlPlane: {
      releaseChannel: c.releaseChannel,
      autoscalingProfile: c.autoscalingProfile,
      deletionProtection: c.deletionProtection,
      maintenanceWindow: c.maintenanceWindow,
      privateNodes: c.privateNodes,
      privateEndpoint: c.privateEndpoint,
      masterIpv4Cidr: c.masterIpv4Cidr,
      masterAuthorizedNetworks: c.masterAuthorizedNetworks.map((m) => ({ cidr: m.cidr, name: m.name ?? m.cidr })),
    },
    resourceLabels: { "managed-by": "cdktf-dagger-runners", deployment: config.name, ...c.resourceLabels },
    // Managed Service for Prometheus writes to Cloud Monitoring, and the dashboard is a Cloud
    // Monitoring resource: both need its API (monitoring.collector gke-managed).
    services: config.gcp.enableServices
      ? [...REQUIRED_SERVICES, ...((config.monitoring.collector ?? defaultCollector(config.target)) === "gke-managed" ? [MONITORING_SERVICE] : [])]
      : [],
    warnings,
  };
}

/**
 * The Kubernetes service account(s) bound to the jobs' Google service account: the one
 * ServiceAccount of every runner pod (`runners.serviceAccountName` in `runners.namespace`),
 * which the runners layer creates annotated `iam.gke.io/gcp-service-account: <jobs email>`.
 */
export function jobsKubernetesServiceAccounts(config: RunnersConfig): { namespace: string; name: string }[] {
  return [{ namespace: config.runners.namespace, name: config.runners.serviceAccountName }];
}
