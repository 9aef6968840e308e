/**
 * This repository's own CI/CD: type-check, tests, `cdktf synth`, and the terraform plan and
 * deploy of the synthesized stacks. Plain functions; the `@object` class in index.ts exposes
 * them.
 *
 * plan and deploy walk the stacks upstream first (cdktf.out/manifest.json `dependencies`), one
 * exec per stack (terraform.ts): a stack whose upstream does not exist yet waits for it instead
 * of failing on the upstream's missing outputs; deploy applies exactly the plan it printed.
 */
import { Container, Directory, File, ReturnType, Secret, dag } from "@dagger.io/dagger";
import { CACHE_PATH, DEFAULT_CACHE_NAMESPACE, withCache } from "./caches.js";
import { WORKDIR, nodeEnv } from "./builds.js";
import * as tf from "./terraform.js";
import { PlanReport, StackResult, commentMarker, renderComment, renderSummary } from "./comment.js";
import { COMMENT_LIMIT, checkTarget, upsertComment } from "./github.js";
import { checkDeployConfig } from "./deploy-config.js";
import * as ga from "./google-auth.js";

/** Node image for this repository (package.json `engines.node` is `>=20.9`). */
export const REPO_NODE_IMAGE = "node:20-bookworm-slim";
/** Terraform image the `terraform` binary is copied from (`/bin/terraform`). */
export const TERRAFORM_IMAGE = "hashicorp/terraform:1.11.4";

/**
 * The one list of paths never sent to the engine with this repository's source: VCS and
 * installs, build outputs, Terraform state and working directories (local `*.tfstate` holds
 * secrets), cdktf's generated bindings. index.ts repeats it literally in every `source`
 * argument's `@argument({ ignore })`, because the SDK's introspector evaluates that decorator
 * argument as a literal (@dagger.io/dagger introspector/typescript_module/ast.js,
 * `getDecoratorArgument`: `eval` of its text); test/pipelines-module.test.ts requires each copy
 * to equal this list, and the source copy into the container applies it again.
 */
export const REPO_IGNORE = [
  ".git",
  "**/node_modules",
  "**/.venv",
  "**/__pycache__",
  "**/.pytest_cache",
  "**/cdktf.out",
  "dist",
  "coverage",
  "**/.gen",
  "**/.terraform",
  "**/*.tfstate*",
  "pipelines/sdk",
];

/** Where a config file passed with `--config` is mounted (YAML parser; JSON is YAML). */
export const CONFIG_PATH = "/config/runners.yaml";
/** Where a Google credentials secret (`googleCredentials`) is mounted. */
export const GOOGLE_CREDENTIALS_PATH = "/run/secrets/google-credentials.json";

/**
 * Sensitive Terraform variables plan and deploy can receive, keyed by the function argument,
 * valued by the environment variable Terraform reads (`TF_VAR_<variable name>`). Passed with
 * `withSecretVariable`, so the values never enter the operation graph, the cache keys or logs.
 * Kept equal to the sensitive `TerraformVariable`s of lib/ by test/pipelines-graph.test.ts.
 */
export const SECRET_TF_VARIABLES = {
  githubAppPrivateKey: "TF_VAR_github_app_private_key",
  githubToken: "TF_VAR_github_token",
  daggerCloudToken: "TF_VAR_dagger_cloud_token",
} as const;

export type SecretVariables = Partial<Record<keyof typeof SECRET_TF_VARIABLES, Secret>>;

/** Value of a required variable a plan did not receive (the comment names each one). */
export const PLAN_PLACEHOLDER = "not-given-to-this-plan";

/** This repository with `npm ci` done: the base of lint, test and synth. */
export function repoEnv(source: Directory, cacheNamespace = DEFAULT_CACHE_NAMESPACE): Container {
  return nodeEnv(source, { image: REPO_NODE_IMAGE, exclude: REPO_IGNORE, cacheNamespace })
    .withEnvVariable("CI", "true")
    .withEnvVariable("CHECKPOINT_DISABLE", "1");
}

/** Mounts a deployment config and points `RUNNERS_CONFIG` at it (no config: built-in default). */
export function withConfig(config?: File): (c: Container) => Container {
  return (c) => (config ? c.withFile(CONFIG_PATH, config).withEnvVariable("RUNNERS_CONFIG", CONFIG_PATH) : c);
}

/** `npm run typecheck`. */
export function lint(source: Directory, cacheNamespace?: string): Container {
  return repoEnv(source, cacheNamespace).withExec(["npm", "run", "typecheck"]);
}

/** The jest suite. */
export function test(source: Directory, cacheNamespace?: string): Container {
  return repoEnv(source, cacheNamespace).withExec(["npx", "jest", "--ci"]);
}

/** The container after `npm run synth` (validates the config, then `cdktf synth`). */
export function synthContainer(source: Directory, config?: File, cacheNamespace?: string): Container {
  return repoEnv(source, cacheNamespace)
    .with(withConfig(config))
    .withEnvVariable("CDKTF_OUTDIR", `${WORKDIR}/cdktf.out`)
    .withExec(["npm", "run", "synth"]);
}

/** The synthesized `cdktf.out` directory. */
export function synth(source: Directory, config?: File, cacheNamespace?: string): Directory {
  return synthContainer(source, config, cacheNamespace).directory(`${WORKDIR}/cdktf.out`);
}

// ------------------------------------------------------------------------- Google credentials

/** GitHub OIDC -> Workload Identity Federation (google-auth.ts). */
export interface OidcAuth {
  /** The runner's `ACTIONS_ID_TOKEN_REQUEST_URL`. */
  readonly requestUrl: Secret;
  /** The runner's `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  readonly requestToken: Secret;
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
  readonly workloadIdentityProvider: string;
  /** The service account to impersonate. */
  readonly serviceAccount: string;
}

/** Exactly one way to reach Google. */
export type GoogleAuth = { readonly credentials: Secret } | { readonly oidc: OidcAuth };

/** The Google credential arguments of plan/deploy, checked: one line naming what is wrong. */
export interface GoogleAuthArgs {
  readonly googleCredentials?: Secret;
  readonly oidcRequestUrl?: Secret;
  readonly oidcRequestToken?: Secret;
  readonly workloadIdentityProvider?: string;
  readonly serviceAccount?: string;
}

export function googleAuth(a: GoogleAuthArgs): GoogleAuth {
  const oidcArgs = {
    oidcRequestUrl: a.oidcRequestUrl,
    oidcRequestToken: a.oidcRequestToken,
    workloadIdentityProvider: a.workloadIdentityProvider || undefined,
    serviceAccount: a.serviceAccount || undefined,
  };
  const given = Object.entries(oidcArgs).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (a.googleCredentials && given.length > 0) {
    throw new ga.GoogleAuthError(`googleCredentials: conflicts with ${given.join(", ")} (use a credentials file or GitHub OIDC, not both)`);
  }
  if (a.googleCredentials) return { credentials: a.googleCredentials };
  if (given.length === 0) {
    throw new ga.GoogleAuthError(
      "googleCredentials: not given, and no GitHub OIDC arguments either (pass --google-credentials=file:<ADC file>, or --oidc-request-url, --oidc-request-token, --workload-identity-provider and --service-account)",
    );
  }
  const missing = Object.entries(oidcArgs).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0) {
    throw new ga.GoogleAuthError(`${missing[0]}: not given (GitHub OIDC needs all of oidcRequestUrl, oidcRequestToken, workloadIdentityProvider, serviceAccount)`);
  }
  ga.externalAccountCredentials(oidcArgs.workloadIdentityProvider!, oidcArgs.serviceAccount!); // checks both
  return {
    oidc: {
      requestUrl: a.oidcRequestUrl!,
      requestToken: a.oidcRequestToken!,
      workloadIdentityProvider: oidcArgs.workloadIdentityProvider!,
      serviceAccount: oidcArgs.serviceAccount!,
    },
  };
}

/**
 * Google credentials for terraform, as Application Default Credentials
 * (`GOOGLE_APPLICATION_CREDENTIALS`, read by the google provider and the GCS backend): a
 * mounted secret file, or the external-account configuration of GitHub OIDC with the token
 * request secrets mounted as files and a tmpfs for the minted token.
 */
export function withGoogleAuth(auth: GoogleAuth): (c: Container) => Container {
  if ("credentials" in auth) {
    return (c) =>
      c.withMountedSecret(GOOGLE_CREDENTIALS_PATH, auth.credentials).withEnvVariable("GOOGLE_APPLICATION_CREDENTIALS", GOOGLE_CREDENTIALS_PATH);
  }
  const o = auth.oidc;
  return (c) =>
    c
      .withMountedSecret(ga.OIDC_REQUEST_URL_PATH, o.requestUrl)
      .withMountedSecret(ga.OIDC_REQUEST_TOKEN_PATH, o.requestToken)
      .withNewFile(ga.MINT_SCRIPT_PATH, ga.MINT_SCRIPT)
      .withNewFile(ga.EXTERNAL_ACCOUNT_PATH, ga.externalAccountCredentials(o.workloadIdentityProvider, o.serviceAccount))
      .withMountedTemp(ga.OIDC_TOKEN_DIR)
      .withEnvVariable("PIPELINES_OIDC_AUDIENCE", ga.oidcAudience(o.workloadIdentityProvider))
      .withEnvVariable("GOOGLE_APPLICATION_CREDENTIALS", ga.EXTERNAL_ACCOUNT_PATH);
}

/**
 * The synthesized repository plus the terraform binary, the provider plugin cache, the plan
 * summary script and the Google credentials.
 */
export function terraformEnv(source: Directory, auth: GoogleAuth, config?: File, cacheNamespace = DEFAULT_CACHE_NAMESPACE): Container {
  return synthContainer(source, config, cacheNamespace)
    .withFile("/usr/local/bin/terraform", dag.container().from(TERRAFORM_IMAGE).file("/bin/terraform"))
    .with(withCache("terraformPlugins", cacheNamespace))
    .withEnvVariable("TF_PLUGIN_CACHE_DIR", CACHE_PATH.terraformPlugins)
    .withEnvVariable("TF_IN_AUTOMATION", "1")
    .withEnvVariable("TF_INPUT", "0")
    .withNewFile(tf.SUMMARY_SCRIPT_PATH, tf.SUMMARY_SCRIPT)
    .with(withGoogleAuth(auth));
}

/** How one stack's exec is built. */
export interface StackExecOptions {
  readonly stack: string;
  readonly kind: "plan" | "deploy";
  readonly auth: GoogleAuth;
  /** Secret variables by environment name (`TF_VAR_...`). */
  readonly secretVariables: Readonly<Record<string, Secret>>;
  /** Required variables the plan did not receive: set to {@link PLAN_PLACEHOLDER}. */
  readonly placeholderVariables: readonly string[];
  /**
   * Makes the exec unique per call: plan and deploy read live cloud state, and a cache hit
   * would replay an old plan. Not secret.
   */
  readonly runAt: string;
}

/**
 * The exec of one stack (terraform.ts `stackScript`): init, plan to a tmpfs, show, summary,
 * and for deploy the apply of that saved plan. Runs with `expect: ANY` so a failed plan is
 * reported (exit code and stderr) instead of aborting the other stacks' report.
 */
export function stackExec(env: Container, o: StackExecOptions): Container {
  let c = env;
  for (const [name, secret] of Object.entries(o.secretVariables)) c = c.withSecretVariable(name, secret);
  for (const name of o.placeholderVariables) c = c.withEnvVariable(`TF_VAR_${name}`, PLAN_PLACEHOLDER);
  const script = tf.stackScript({
    apply: o.kind === "deploy",
    lock: o.kind === "deploy",
    beforeAuth: "oidc" in o.auth ? ga.MINT_COMMAND : undefined,
  });
  return c
    .withMountedTemp(tf.PLAN_DIR)
    .withEnvVariable("PIPELINES_RUN_AT", o.runAt)
    .withExec(["sh", "-c", script, o.kind, o.stack], { expect: ReturnType.Any });
}

/** Everything plan and deploy need. */
export interface RunOptions {
  readonly kind: "plan" | "deploy";
  readonly auth: GoogleAuth;
  readonly secrets: SecretVariables;
  /** Stacks to act on; empty: every stack. */
  readonly stacks: readonly string[];
  readonly config?: File;
  readonly cacheNamespace?: string;
  /** The commit, for the report's title. */
  readonly commit?: string;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
const argumentOf = (envName: string) =>
  (Object.entries(SECRET_TF_VARIABLES) as [keyof SecretVariables, string][]).find(([, e]) => e === envName)?.[0];

/** Runs every stack upstream first and returns the report (plan: no apply; deploy: apply). */
export async function runStacks(source: Directory, o: RunOptions): Promise<PlanReport> {
  const env = terraformEnv(source, o.auth, o.config, o.cacheNamespace);
  const read = async (p: string) => JSON.parse(await env.file(`${WORKDIR}/cdktf.out/${p}`).contents());
  const manifest = (await read("manifest.json")) as tf.Manifest;
  const deployment = (await read("deployment-plan.json")) as { runnerLabels?: Record<string, string>; warnings?: string[] };
  // The picture of the deployment, when the synth draws one (lib/app.ts PICTURE_MERMAID_FILE).
  const picture = await env
    .file(`${WORKDIR}/cdktf.out/deployment.mmd`)
    .contents()
    .catch(() => undefined);
  const order = tf.stackOrder(manifest, o.stacks);

  // Every required variable of every stack, before any terraform runs.
  const variables = new Map<string, { secrets: Record<string, Secret>; placeholders: string[] }>();
  const placeholderNames = new Set<string>();
  for (const s of order) {
    const stackJson = (await read(`stacks/${s}/cdk.tf.json`)) as Parameters<typeof tf.requiredVariables>[0];
    const secrets: Record<string, Secret> = {};
    const placeholders: string[] = [];
    for (const v of tf.requiredVariables(stackJson)) {
      const envName = `TF_VAR_${v.name}`;
      const arg = argumentOf(envName);
      const secret = arg ? o.secrets[arg] : undefined;
      if (secret) secrets[envName] = secret;
      else if (o.kind === "deploy") {
        throw new tf.PipelineError(
          arg
            ? `${arg}: not given, and stack ${s} needs it for the Terraform variable ${v.name} (pass --${kebab(arg)}=env:NAME, a Secret)`
            : `stack ${s}: the Terraform variable ${v.name} has no default and no argument of this function sets it`,
        );
      } else {
        placeholders.push(v.name);
        placeholderNames.add(v.name);
      }
    }
    variables.set(s, { secrets, placeholders });
  }

  const runAt = new Date().toISOString();
  const results = new Map<string, StackResult>();
  for (const s of order) {
    const upstream = tf.upstreamOf(manifest, s);
    const blocker = upstream
      .map((u) => results.get(u))
      .find((r) => r && (r.status === "failed" || r.status === "waits" || (r.status === "planned" && !r.existed)));
    if (blocker) {
      results.set(s, { stack: s, status: "waits", waitsFor: blocker.stack, reason: blocker.status === "failed" ? "failed" : "not deployed yet" });
      continue;
    }
    const { secrets, placeholders } = variables.get(s)!;
    const c = stackExec(env, { stack: s, kind: o.kind, auth: o.auth, secretVariables: secrets, placeholderVariables: placeholders, runAt });
    const exitCode = await c.exitCode();
    if (exitCode !== 0) {
      const error = tf.errorTail(await c.stderr()) || `exit code ${exitCode}`;
      results.set(s, { stack: s, status: "failed", error: error.slice(-4000) });
      continue;
    }
    const out = tf.parseStackOutput(s, await c.stdout());
    const upstreamChanging = upstream.filter((u) => {
      const r = results.get(u);
      return o.kind === "plan" && r?.status === "planned" && (r.add + r.change + r.destroy > 0 || false);
    });
    results.set(s, {
      stack: s,
      status: o.kind === "deploy" ? "applied" : "planned",
      add: out.summary.add,
      change: out.summary.change,
      destroy: out.summary.destroy,
      byAction: out.summary.byAction,
      existed: out.summary.existed,
      planText: out.planText,
      applyText: out.applyText,
      ...(upstreamChanging.length ? { upstreamChanging } : {}),
    });
  }
  return {
    config: o.config ? await o.config.name() : "built-in default",
    kind: o.kind,
    stacks: order.map((s) => results.get(s)!),
    labels: deployment.runnerLabels ?? {},
    warnings: deployment.warnings ?? [],
    ...(picture ? { picture } : {}),
    placeholderVariables: [...placeholderNames],
    commit: o.commit,
  };
}

/** The first failed stack, as one line, if any. */
function failure(report: PlanReport): string | undefined {
  const failed = report.stacks.filter((r): r is Extract<StackResult, { status: "failed" }> => r.status === "failed");
  if (failed.length === 0) return undefined;
  const last = (e: string) => e.split("\n").filter(Boolean).slice(-1)[0] ?? "error";
  return `${report.kind} failed: ${failed.map((f) => `${f.stack}: ${last(f.error)}`).join("; ")}`;
}

/** Where the plan comment goes (all set, or none). */
export interface CommentArgs {
  readonly token?: Secret;
  readonly repository?: string;
  readonly pullRequest?: number;
  readonly apiUrl: string;
}

/**
 * `plan`: the report of every stack, posted as the pull request's plan comment when the GitHub
 * arguments are given (created, or updated in place through its hidden marker). Fails with one
 * line when a stack fails (after posting) or when GitHub refuses the comment.
 */
export async function plan(source: Directory, o: Omit<RunOptions, "kind">, comment: CommentArgs): Promise<string> {
  const given = [comment.token && "prCommentToken", comment.repository && "repository", comment.pullRequest && "pullRequest"].filter(Boolean) as string[];
  if (given.length > 0 && given.length < 3) {
    const missing = ["prCommentToken", "repository", "pullRequest"].filter((k) => !given.includes(k));
    throw new Error(`${missing[0]}: not given (the plan comment needs prCommentToken, repository and pullRequest together)`);
  }
  const target = given.length === 3 ? { apiUrl: comment.apiUrl, repository: comment.repository!, issueNumber: comment.pullRequest! } : undefined;
  if (target) checkTarget(target); // before any container runs
  const report = await runStacks(source, { ...o, kind: "plan" });
  let posted = "";
  if (target) {
    const body = renderComment(report, COMMENT_LIMIT);
    const token = await comment.token!.plaintext();
    const res = await upsertComment({ ...target, token }, commentMarker(report.config), body);
    posted = `\nplan comment ${res.action}: ${res.url || `#${res.id}`}`;
  }
  const summary = renderSummary(report) + posted;
  const failed = failure(report);
  if (failed) throw new Error(`${failed}\n${summary}`);
  return summary;
}

/**
 * `deploy`: refuses a config it must not apply before any container runs (deploy-config.ts),
 * then plans and applies each stack's saved plan, upstream first. A failed stack stops the
 * stacks that read it and fails the call with one line, after the summary of what was applied.
 */
export async function deploy(source: Directory, o: Omit<RunOptions, "kind">): Promise<string> {
  checkDeployConfig(o.config ? await o.config.contents() : undefined, o.config ? await o.config.name() : "config");
  const report = await runStacks(source, { ...o, kind: "deploy" });
  const summary = renderSummary(report);
  const failed = failure(report);
  if (failed) throw new Error(`${failed}\n${summary}`);
  return summary;
}
