import { Construct } from "constructs";
import { ITerraformDependable, dependable } from "cdktf";
import { GoogleServiceAccount, ProjectIamMember, ServiceAccountIamMember } from "../imports/google";

/** A construct id for an IAM role: `roles/artifactregistry.reader` -> `artifactregistry-reader`. */
const roleId = (role: string) => role.replace(/^roles\//, "").replace(/\W/g, "-");

/** A Kubernetes service account allowed to act as the jobs' Google service account. */
export interface KubernetesServiceAccountRef {
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account. */
  readonly name: string;
}

/** Props of {@link GkeIdentity}. */
export interface GkeIdentityProps {
  /** Project of the service accounts and role bindings. */
  readonly projectId: string;
  /** Cluster name, for descriptions. */
  readonly clusterName: string;
  /**
   * The node service account: `accountId` set means create it and grant `roles`; otherwise
   * `email` names an existing one (granted nothing).
   */
  readonly nodeServiceAccount: { readonly accountId?: string; readonly email: string; readonly roles: readonly string[] };
  /** The jobs' Google service account for Workload Identity. @default undefined (none) */
  readonly jobsServiceAccount?: { readonly accountId: string; readonly roles: readonly string[] };
  /** `<project>.svc.id.goog`: the cluster's workload identity pool. */
  readonly workloadPool: string;
  /** Kubernetes service accounts bound to the jobs' account (`roles/iam.workloadIdentityUser`). @default [] */
  readonly kubernetesServiceAccounts?: readonly KubernetesServiceAccountRef[];
  /** Resources to create the service accounts after (enabled services). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Google identities of the cluster: a least-privilege node service account (or an existing
 * one), and a service account for CI jobs that runner pods use through Workload Identity, so
 * pipelines push images or deploy without keys.
 */
export class GkeIdentity extends Construct {
  /** Email of the node service account. */
  readonly nodeServiceAccountEmail: string;
  /** Email of the jobs' service account (a token when created). */
  readonly jobsServiceAccountEmail?: string;
  /** Resources node pools must wait for (the node account's role grants). */
  readonly nodeDependables: ITerraformDependable[] = [];
  /** `roles/iam.workloadIdentityUser` grants to the Kubernetes service accounts. */
  readonly workloadIdentityBindings: ServiceAccountIamMember[] = [];

  constructor(scope: Construct, id: string, props: GkeIdentityProps) {
    super(scope, id);
    const node = props.nodeServiceAccount;
    if (node.accountId) {
      const { sa, grants } = this.accountWithRoles(props, "nodes", node.accountId, node.roles, {
        displayName: `GKE nodes of ${props.clusterName}`,
        description: "Node service account of the Dagger runners cluster (logging, monitoring, image pulls)",
      });
      this.nodeServiceAccountEmail = sa.email;
      this.nodeDependables.push(...grants);
    } else {
      this.nodeServiceAccountEmail = node.email;
    }

    const jobs = props.jobsServiceAccount;
    if (jobs) {
      const { sa } = this.accountWithRoles(props, "jobs", jobs.accountId, jobs.roles, {
        displayName: `CI jobs on ${props.clusterName}`,
        description: "Workload Identity of the Dagger runner pods: grant it what pipelines need",
      });
      this.jobsServiceAccountEmail = sa.email;
      for (const ksa of props.kubernetesServiceAccounts ?? []) {
        this.workloadIdentityBindings.push(
          new ServiceAccountIamMember(this, `wi-${ksa.namespace}-${ksa.name}`, {
            serviceAccountId: sa.name,
            role: "roles/iam.workloadIdentityUser",
            member: `serviceAccount:${props.workloadPool}[${ksa.namespace}/${ksa.name}]`,
          }),
        );
      }
    }
  }

  /** A Google service account (after `props.dependsOn`) and its project role grants. */
  private accountWithRoles(
    props: GkeIdentityProps,
    id: string,
    accountId: string,
    roles: readonly string[],
    text: { readonly displayName: string; readonly description: string },
  ): { sa: GoogleServiceAccount; grants: ProjectIamMember[] } {
    const sa = new GoogleServiceAccount(this, id, { project: props.projectId, accountId, ...text, dependsOn: props.dependsOn });
    const grants = roles.map(
      (role) => new ProjectIamMember(this, `${id}-${roleId(role)}`, { project: props.projectId, role, member: `serviceAccount:${sa.email}` }),
    );
    return { sa, grants };
  }

  /**
   * Makes the Workload Identity grants wait for `cluster`: the pool `<project>.svc.id.goog`
   * exists only once a cluster with Workload Identity does, and IAM rejects members of a
   * missing pool.
   */
  bindAfter(cluster: ITerraformDependable): void {
    for (const b of this.workloadIdentityBindings) b.dependsOn = [...(b.dependsOn ?? []), dependable(cluster)];
  }
}
