import { Construct } from "constructs";
import { ITerraformDependable, TerraformOutput } from "cdktf";
import {
  GoogleServiceAccount,
  IamWorkloadIdentityPool,
  IamWorkloadIdentityPoolProvider,
  ProjectIamCustomRole,
  ProjectIamMember,
  ProjectService,
  ServiceAccountIamMember,
  StorageBucketIamMember,
} from "../imports/google";
import { serviceAccountId } from "../planning/network";

/** Issuer of GitHub Actions' OIDC tokens (docs.github.com, "About security hardening with OpenID Connect"). */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * Project roles of the plan identity: read only. `roles/viewer` reads every resource the
 * stacks manage (GKE, network, IAM, service accounts, enabled services); Kubernetes Secrets are
 * not in it, and the runners stack's plan reads them (Helm stores each release as a Secret;
 * the GitHub credentials Secret), so a custom role adds exactly `container.secrets.get/list`.
 */
export const PLAN_ROLES = ["roles/viewer"] as const;
export const PLAN_SECRET_PERMISSIONS = ["container.secrets.get", "container.secrets.list"] as const;

/**
 * Project roles of the deploy identity: what the two stacks create. Managing project IAM grants
 * (`projectIamAdmin`) lets this identity grant itself more: it is as strong as an owner of the
 * project's IAM, which is why it only accepts tokens of one branch.
 */
export const DEPLOY_ROLES = [
  "roles/container.admin",
  "roles/compute.networkAdmin",
  "roles/iam.serviceAccountAdmin",
  "roles/iam.serviceAccountUser",
  "roles/resourcemanager.projectIamAdmin",
  "roles/serviceusage.serviceUsageAdmin",
  "roles/iam.workloadIdentityPoolAdmin",
  "roles/iam.roleAdmin",
] as const;

/** APIs the token exchange needs: STS (token exchange) and IAM Credentials (impersonation). */
export const GITHUB_OIDC_SERVICES = ["sts.googleapis.com", "iamcredentials.googleapis.com"] as const;

/** Props of {@link GithubOidc}. */
export interface GithubOidcProps {
  /** Project of the pool, the service accounts and the grants. */
  readonly projectId: string;
  /** Cluster name: prefixes the pool, the service accounts and the custom role. */
  readonly clusterName: string;
  /** The repository whose workflows may authenticate, `owner/name`. */
  readonly repository: string;
  /** The branch the deploy identity accepts tokens of. @default "main" */
  readonly branch?: string;
  /** GCS state bucket (backend `gcs`): plan reads it, deploy writes it. @default undefined (local backend: no grant) */
  readonly stateBucket?: string;
  /** Enable the STS and IAM Credentials APIs. @default true */
  readonly enableServices?: boolean;
  /** Resources to create everything after (the stack's enabled services). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Keyless CI credentials: GitHub OIDC -> Google Workload Identity Federation (opt-in,
 * `cluster.githubOidc`). A workload identity pool with one OIDC provider for GitHub Actions,
 * restricted by an attribute condition to one repository; a plan identity (read only) any
 * workflow of that repository may impersonate, and a deploy identity only tokens of
 * `refs/heads/<branch>` may impersonate. Outputs the provider's name and both emails, which
 * the workflows take as repository variables (GCP_WORKLOAD_IDENTITY_PROVIDER,
 * GCP_PLAN_SERVICE_ACCOUNT, GCP_DEPLOY_SERVICE_ACCOUNT).
 *
 * Shape of the provider and the `principalSet://iam.googleapis.com/<pool>/attribute.<name>/<value>`
 * members: Google's "Configure Workload Identity Federation with deployment pipelines" and
 * google-github-actions/auth's README (attribute.repository bindings).
 */
export class GithubOidc extends Construct {
  readonly pool: IamWorkloadIdentityPool;
  readonly provider: IamWorkloadIdentityPoolProvider;
  readonly planServiceAccount: GoogleServiceAccount;
  readonly deployServiceAccount: GoogleServiceAccount;

  constructor(scope: Construct, id: string, props: GithubOidcProps) {
    super(scope, id);
    const project = props.projectId;
    const branch = props.branch ?? "main";
    const deps: ITerraformDependable[] = [...(props.dependsOn ?? [])];
    if (props.enableServices ?? true) {
      for (const service of GITHUB_OIDC_SERVICES) {
        deps.push(new ProjectService(this, `service-${service.split(".")[0]}`, { project, service, disableOnDestroy: false, disableDependentServices: false }));
      }
    }

    // Pool ids: 4-32 characters. A deleted pool keeps its id for 30 days (it can be undeleted).
    const poolId = `${props.clusterName.slice(0, 32 - "-github".length).replace(/-+$/, "")}-github`;
    this.pool = new IamWorkloadIdentityPool(this, "pool", {
      project,
      workloadIdentityPoolId: poolId,
      displayName: `GitHub Actions ${props.repository}`.slice(0, 32),
      description: `GitHub Actions OIDC tokens of ${props.repository} (cdktf-dagger-runners)`,
      dependsOn: deps,
    });
    // Single quotes inside CEL strings: the repository name has none (owner/name characters).
    this.provider = new IamWorkloadIdentityPoolProvider(this, "provider", {
      project,
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: "github",
      displayName: "GitHub Actions",
      attributeMapping: {
        "google.subject": "assertion.sub",
        "attribute.repository": "assertion.repository",
        "attribute.ref": "assertion.ref",
      },
      attributeCondition: `assertion.repository == '${props.repository}'`,
      oidc: { issuerUri: GITHUB_OIDC_ISSUER },
    });

    const account = (suffix: string, what: string) =>
      new GoogleServiceAccount(this, suffix, {
        project,
        accountId: serviceAccountId(props.clusterName, suffix),
        displayName: `GitHub ${what} of ${props.clusterName}`.slice(0, 100),
        description: `Impersonated by GitHub Actions of ${props.repository} through workload identity federation`,
        dependsOn: deps,
      });
    this.planServiceAccount = account("gh-plan", "plan");
    this.deployServiceAccount = account("gh-deploy", "deploy");

    const member = (sa: GoogleServiceAccount) => `serviceAccount:${sa.email}`;
    for (const role of PLAN_ROLES) {
      new ProjectIamMember(this, `plan-${role.replace(/^roles\//, "").replace(/\W/g, "-")}`, { project, role, member: member(this.planServiceAccount) });
    }
    const secretsReader = new ProjectIamCustomRole(this, "plan-secrets-reader", {
      project,
      roleId: `${props.clusterName.replace(/-/g, "_")}_github_plan_secrets`,
      title: `Read Kubernetes Secrets (GitHub plan of ${props.clusterName})`.slice(0, 100),
      permissions: [...PLAN_SECRET_PERMISSIONS],
    });
    new ProjectIamMember(this, "plan-secrets", { project, role: secretsReader.name, member: member(this.planServiceAccount) });
    for (const role of DEPLOY_ROLES) {
      new ProjectIamMember(this, `deploy-${role.replace(/^roles\//, "").replace(/\W/g, "-")}`, { project, role, member: member(this.deployServiceAccount) });
    }
    if (props.stateBucket) {
      new StorageBucketIamMember(this, "plan-state", { bucket: props.stateBucket, role: "roles/storage.objectViewer", member: member(this.planServiceAccount) });
      new StorageBucketIamMember(this, "deploy-state", { bucket: props.stateBucket, role: "roles/storage.objectAdmin", member: member(this.deployServiceAccount) });
    }

    // Who may impersonate whom: any workflow of the repository -> plan; only refs/heads/<branch> -> deploy.
    const principalSet = (attribute: string, value: string) => `principalSet://iam.googleapis.com/${this.pool.name}/attribute.${attribute}/${value}`;
    new ServiceAccountIamMember(this, "plan-wif", {
      serviceAccountId: this.planServiceAccount.name,
      role: "roles/iam.workloadIdentityUser",
      member: principalSet("repository", props.repository),
    });
    new ServiceAccountIamMember(this, "deploy-wif", {
      serviceAccountId: this.deployServiceAccount.name,
      role: "roles/iam.workloadIdentityUser",
      member: principalSet("ref", `refs/heads/${branch}`),
    });

    const output = (name: string, value: string, description: string) => new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    output("github_oidc_provider", this.provider.name, "Workload identity provider for the workflows (repository variable GCP_WORKLOAD_IDENTITY_PROVIDER)");
    output("github_oidc_plan_service_account", this.planServiceAccount.email, "Plan identity, read only (repository variable GCP_PLAN_SERVICE_ACCOUNT)");
    output("github_oidc_deploy_service_account", this.deployServiceAccount.email, `Deploy identity, refs/heads/${branch} only (repository variable GCP_DEPLOY_SERVICE_ACCOUNT)`);
  }
}
