/**
 * cluster.githubOidc: the workload identity pool, provider and the plan/deploy identities the
 * pipelines' workflows authenticate as (lib/constructs/github-oidc.ts).
 */
import { parseConfig } from "../lib/config/load";
import { DEPLOY_ROLES, GITHUB_OIDC_ISSUER, PLAN_SECRET_PERMISSIONS } from "../lib/constructs/github-oidc";
import { checkServiceAccount, checkWorkloadIdentityProvider } from "../pipelines/src/google-auth";
import { resources, synthConfig } from "./util";

const base = {
  gcp: { projectId: "my-gcp-project" },
  github: { configUrl: "https://github.com/my-org", app: { id: "1", installationId: 2 } },
  backend: { type: "gcs", bucket: "my-tf-state" },
};
const withOidc = { ...base, cluster: { githubOidc: { repository: "my-org/infra" } } };

describe("cluster.githubOidc", () => {
  const cluster = synthConfig(withOidc).stacks["dagger-runners-cluster"];
  const members = Object.values(resources(cluster, "google_project_iam_member")) as { role: string; member: string }[];
  const accounts = Object.values(resources(cluster, "google_service_account")) as { account_id: string }[];

  test("a pool and a GitHub provider accepting only the repository's tokens", () => {
    const [pool] = Object.values(resources(cluster, "google_iam_workload_identity_pool")) as Record<string, any>[];
    const [provider] = Object.values(resources(cluster, "google_iam_workload_identity_pool_provider")) as Record<string, any>[];
    expect(pool.workload_identity_pool_id).toBe("dagger-runners-github");
    expect(provider.oidc).toEqual({ issuer_uri: GITHUB_OIDC_ISSUER });
    expect(provider.attribute_condition).toBe("assertion.repository == 'my-org/infra'");
    expect(provider.attribute_mapping).toEqual({
      "google.subject": "assertion.sub",
      "attribute.repository": "assertion.repository",
      "attribute.ref": "assertion.ref",
    });
  });

  test("the plan identity: any workflow of the repository; read-only roles plus Kubernetes Secret reads; reads the state", () => {
    const bindings = Object.values(resources(cluster, "google_service_account_iam_member")) as Record<string, string>[];
    const plan = bindings.find((b) => b.member.endsWith("/attribute.repository/my-org/infra"))!;
    expect(plan.role).toBe("roles/iam.workloadIdentityUser");
    expect(plan.member).toMatch(/^principalSet:\/\/iam\.googleapis\.com\/\$\{google_iam_workload_identity_pool\.[\w-]+\.name\}\/attribute\.repository\/my-org\/infra$/);
    const planMember = (m: { member: string }) => m.member.includes("gh-plan");
    const planRoles = members.filter(planMember).map((m) => m.role);
    expect(planRoles).toHaveLength(2);
    expect(planRoles).toEqual(expect.arrayContaining(["roles/viewer", expect.stringMatching(/^\$\{google_project_iam_custom_role\./)]));
    const [role] = Object.values(resources(cluster, "google_project_iam_custom_role")) as Record<string, any>[];
    expect(role.permissions).toEqual([...PLAN_SECRET_PERMISSIONS]);
    expect(role.role_id).toMatch(/^[a-zA-Z0-9_.]{3,64}$/);
    const state = Object.values(resources(cluster, "google_storage_bucket_iam_member")) as Record<string, string>[];
    expect(state.map((s) => [s.bucket, s.role, s.member.includes("gh-plan") ? "plan" : "deploy"]).sort()).toEqual([
      ["my-tf-state", "roles/storage.objectAdmin", "deploy"],
      ["my-tf-state", "roles/storage.objectViewer", "plan"],
    ]);
  });

  test("the deploy identity: only tokens of refs/heads/main; the roles the stacks need", () => {
    const bindings = Object.values(resources(cluster, "google_service_account_iam_member")) as Record<string, string>[];
    const deploy = bindings.filter((b) => b.member.includes("/attribute.ref/"));
    expect(deploy).toHaveLength(1);
    expect(deploy[0].member).toMatch(/\/attribute\.ref\/refs\/heads\/main$/);
    expect(deploy[0].service_account_id).toMatch(/gh-deploy/);
    expect(members.filter((m) => m.member.includes("gh-deploy")).map((m) => m.role).sort()).toEqual([...DEPLOY_ROLES].sort());
    const other = synthConfig({ ...base, cluster: { githubOidc: { repository: "my-org/infra", branch: "release/v1" } } }).stacks["dagger-runners-cluster"];
    expect(JSON.stringify(resources(other, "google_service_account_iam_member"))).toContain("/attribute.ref/refs/heads/release/v1");
  });

  test("outputs what the workflows take, in the form the pipeline accepts", () => {
    expect(Object.keys(cluster.output)).toEqual(
      expect.arrayContaining(["github_oidc_provider", "github_oidc_plan_service_account", "github_oidc_deploy_service_account"]),
    );
    expect(cluster.output.github_oidc_provider.value).toMatch(/^\$\{google_iam_workload_identity_pool_provider\.[\w-]+\.name\}$/);
    // The names the outputs will hold once applied pass the pipeline's own argument checks.
    for (const a of accounts) if (/gh-/.test(a.account_id)) expect(checkServiceAccount(`${a.account_id}@my-gcp-project.iam.gserviceaccount.com`)).toBeTruthy();
    expect(accounts.map((a) => a.account_id)).toEqual(expect.arrayContaining(["dagger-runners-gh-plan", "dagger-runners-gh-deploy"]));
    expect(checkWorkloadIdentityProvider("projects/123456789012/locations/global/workloadIdentityPools/dagger-runners-github/providers/github")).toBeTruthy();
    const services = Object.values(resources(cluster, "google_project_service")) as { service: string }[];
    expect(services.map((s) => s.service)).toEqual(expect.arrayContaining(["sts.googleapis.com", "iamcredentials.googleapis.com"]));
  });

  test("off by default: no pool, no identities", () => {
    const plain = synthConfig(base).stacks["dagger-runners-cluster"];
    expect(resources(plain, "google_iam_workload_identity_pool")).toEqual({});
    expect(Object.keys(plain.output)).not.toContain("github_oidc_provider");
  });

  test.each([
    [{ repository: "my-org" }, 'cluster.githubOidc.repository: "my-org" is not a GitHub repository (expected owner/name, e.g. my-org/infra)'],
    [{ repository: "my-org/infra' || true || '" }, "cluster.githubOidc.repository: "],
    [{ repository: "my-org/infra", branch: "main branch" }, 'cluster.githubOidc.branch: "main branch" is not a branch name'],
  ])("one-line errors: %j", (githubOidc, message) => {
    expect(() => parseConfig({ ...base, cluster: { githubOidc } })).toThrow(message);
  });
});
