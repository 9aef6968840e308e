import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { ComputeSubnetworkIamMember, ProjectIamMember } from "../imports/google";
import type { HostGrant } from "../planning/cluster";

/** Props of {@link GkeSharedVpcGrants}. */
export interface GkeSharedVpcGrantsProps {
  /** The Shared VPC host project. */
  readonly hostProject: string;
  /** Region of the cluster's subnet. */
  readonly region: string;
  /** Name of the cluster's subnet in the host project. */
  readonly subnetName: string;
  /** The grants (lib/planning/cluster.ts `sharedVpcGrants`: members with real agent emails). */
  readonly grants: readonly HostGrant[];
}

/**
 * The IAM grants GKE's service agents need in a Shared VPC host project before the cluster can
 * use its subnet (GKE "Setting up clusters with Shared VPC"): each subnet grant as a
 * `google_compute_subnetwork_iam_member`, each project grant as a `google_project_iam_member`.
 * Additive members only: the host project's other bindings are left alone.
 */
export class GkeSharedVpcGrants extends Construct {
  /** The grants, for the cluster to depend on. */
  readonly dependables: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: GkeSharedVpcGrantsProps) {
    super(scope, id);
    for (const g of props.grants) {
      const key = `${g.scope}-${g.role.replace(/^roles\//, "").replace(/\W/g, "-")}-${g.member.replace(/^serviceAccount:/, "").split("@")[1].split(".")[0]}`;
      this.dependables.push(
        g.scope === "subnet"
          ? new ComputeSubnetworkIamMember(this, key, { project: props.hostProject, region: props.region, subnetwork: props.subnetName, role: g.role, member: g.member })
          : new ProjectIamMember(this, key, { project: props.hostProject, role: g.role, member: g.member }),
      );
    }
  }
}
