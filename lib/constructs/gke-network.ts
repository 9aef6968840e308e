import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { ComputeNetwork, ComputeRouter, ComputeRouterNat, ComputeSubnetwork } from "../imports/google";
import type { NetworkPlan } from "../planning/cluster";

/** Props of {@link GkeNetwork}. */
export interface GkeNetworkProps {
  /** The planned network (names, CIDRs, project; lib/planning/cluster.ts). */
  readonly network: NetworkPlan;
  /** Region of the subnet, router and NAT. */
  readonly region: string;
  /** Create a Cloud Router and Cloud NAT with these names (private nodes). @default undefined (no NAT) */
  readonly nat?: { readonly routerName: string; readonly natName: string };
  /** Resources to create first (e.g. enabled project services). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The cluster's network: a custom-mode VPC and a subnet with secondary ranges for pods and
 * services (VPC-native), or references to an existing network and subnet (possibly in a Shared
 * VPC host project); plus a Cloud Router and Cloud NAT when nodes have no public IP.
 */
export class GkeNetwork extends Construct {
  /** Network to give the cluster: a self link when created, else `projects/<p>/global/networks/<n>`. */
  readonly networkRef: string;
  /** Subnet to give the cluster. */
  readonly subnetRef: string;
  /** Created resources the cluster must wait for. */
  readonly dependables: ITerraformDependable[] = [];
  readonly vpc?: ComputeNetwork;
  readonly subnet?: ComputeSubnetwork;
  readonly router?: ComputeRouter;
  readonly routerNat?: ComputeRouterNat;

  constructor(scope: Construct, id: string, props: GkeNetworkProps) {
    super(scope, id);
    const n = props.network;
    if (n.create) {
      this.vpc = new ComputeNetwork(this, "vpc", {
        project: n.project,
        name: n.name,
        autoCreateSubnetworks: false,
        routingMode: "REGIONAL",
        dependsOn: props.dependsOn,
      });
      this.subnet = new ComputeSubnetwork(this, "subnet", {
        project: n.project,
        name: n.subnetName,
        region: props.region,
        network: this.vpc.selfLink,
        ipCidrRange: n.subnetCidr,
        // Nodes without public IPs still reach Google APIs (Artifact Registry, logging).
        privateIpGoogleAccess: true,
        secondaryIpRange: [
          { rangeName: n.podsRangeName, ipCidrRange: n.podsCidr },
          { rangeName: n.servicesRangeName, ipCidrRange: n.servicesCidr },
        ],
      });
      this.networkRef = this.vpc.selfLink;
      this.subnetRef = this.subnet.selfLink;
      this.dependables.push(this.subnet);
    } else {
      this.networkRef = n.networkId;
      this.subnetRef = n.subnetId;
    }

    if (props.nat) {
      this.router = new ComputeRouter(this, "router", {
        project: n.project,
        name: props.nat.routerName,
        region: props.region,
        network: this.networkRef,
        dependsOn: props.dependsOn,
      });
      this.routerNat = new ComputeRouterNat(this, "nat", {
        project: n.project,
        name: props.nat.natName,
        region: props.region,
        router: this.router.name,
        natIpAllocateOption: "AUTO_ONLY",
        // Only the cluster's subnet (all its ranges: nodes and pods), never other subnets of a
        // shared or existing network.
        sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
        subnetwork: [{ name: this.subnetRef, sourceIpRangesToNat: ["ALL_IP_RANGES"] }],
        // Many runners pulling images at once: allocate ports on demand.
        enableDynamicPortAllocation: true,
        minPortsPerVm: 64,
        maxPortsPerVm: 4096,
        enableEndpointIndependentMapping: false,
        logConfig: { enable: true, filter: "ERRORS_ONLY" },
      });
      this.dependables.push(this.routerNat);
    }
  }
}
