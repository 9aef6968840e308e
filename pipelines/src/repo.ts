/**
 * This repository's own CI/CD: type-check, tests, `cdktf synth`, and terraform plan/deploy of
 * the synthesized stacks. Plain functions; the `@object` class in index.ts exposes them.
 */
import { Container, Directory, File, Secret, dag } from "@dagger.io/dagger";
import { CACHE_PATH, withCache } from "./caches.js";
import { DEFAULT_SOURCE_EXCLUDE, WORKDIR, nodeEnv } from "./builds.js";

/** Node image for this repository (package.json `engines.node` is `>=20.9`). */
export const REPO_NODE_IMAGE = "node:20-bookworm-slim";
/** Terraform image the `terraform` binary is copied from (`/bin/terraform`). */
export const TERRAFORM_IMAGE = "hashicorp/terraform:1.11.4";

/** Host paths never sent to the engine: installs, outputs, local state. */
export const REPO_EXCLUDE = [
  ...DEFAULT_SOURCE_EXCLUDE,
  "cdktf.out",
  "dist",
  "coverage",
  ".gen",
  "**/.terraform",
  "**/*.tfstate*",
  "pipelines/sdk",
];

/** Where a config file passed with `--config` is mounted (YAML parser; JSON is YAML). */
export const CONFIG_PATH = "/config/runners.yaml";
/** Where the Google credentials secret is mounted; `GOOGLE_APPLICATION_CREDENTIALS` names it. */
export const GOOGLE_CREDENTIALS_PATH = "/run/secrets/google-credentials.json";

/**
 * Sensitive Terraform variables deploy can receive, keyed by the function argument, valued by
 * the environment variable Terraform reads (`TF_VAR_<variable name>`). Passed with
 * `withSecretVariable`, so the values never enter the operation graph, the cache keys or logs.
 * Keep in sync with the sensitive `TerraformVariable`s of lib/stacks.
 */
export const SECRET_TF_VARIABLES = {
  githubAppPrivateKey: "TF_VAR_github_app_private_key",
  githubToken: "TF_VAR_github_token",
  daggerCloudToken: "TF_VAR_dagger_cloud_token",
} as const;

export type SecretVariables = Partial<Record<keyof typeof SECRET_TF_VARIABLES, Secret>>;

/** This repository with `npm ci` done: the base of lint, test and synth. */
export function repoEnv(source: Directory, image = REPO_NODE_IMAGE): Container {
  return nodeEnv(source, { image, exclude: REPO_EXCLUDE })
    .withEnvVariable("CI", "true")
    .withEnvVariable("CHECKPOINT_DISABLE", "1");
}

/** Mounts a deployment config and points `RUNNERS_CONFIG` at it (no config: built-in default). */
export function withConfig(config?: File): (c: Container) => Container {
  return (c) => (config ? c.withFile(CONFIG_PATH, config).withEnvVariable("RUNNERS_CONFIG", CONFIG_PATH) : c);
}

/** `npm run typecheck`. */
export function lint(source: Directory): Container {
  return repoEnv(source).withExec(["npm", "run", "typecheck"]);
}

/** The jest suite. */
export function test(source: Directory): Container {
  return repoEnv(source).withExec(["npx", "jest", "--ci"]);
}

/** The container after `npm run synth` (validates the config, then `cdktf synth`). */
export function synthContainer(source: Directory, config?: File): Container {
  return repoEnv(source)
    .with(withConfig(config))
    .withEnvVariable("CDKTF_OUTDIR", `${WORKDIR}/cdktf.out`)
    .withExec(["npm", "run", "synth"]);
}

/** The synthesized `cdktf.out` directory. */
export function synth(source: Directory, config?: File): Directory {
  return synthContainer(source, config).directory(`${WORKDIR}/cdktf.out`);
}

/**
 * The synthesized repository plus the terraform binary, Google credentials (a mounted secret
 * file named by `GOOGLE_APPLICATION_CREDENTIALS`, read by the google provider and the GCS
 * backend) and the provider plugin cache.
 */
export function terraformEnv(source: Directory, googleCredentials: Secret, config?: File): Container {
  return synthContainer(source, config)
    .withFile("/usr/local/bin/terraform", dag.container().from(TERRAFORM_IMAGE).file("/bin/terraform"))
    .with(withCache("terraformPlugins"))
    .withEnvVariable("TF_PLUGIN_CACHE_DIR", CACHE_PATH.terraformPlugins)
    .withEnvVariable("TF_IN_AUTOMATION", "1")
    .withEnvVariable("TF_INPUT", "0")
    .withMountedSecret(GOOGLE_CREDENTIALS_PATH, googleCredentials)
    .withEnvVariable("GOOGLE_APPLICATION_CREDENTIALS", GOOGLE_CREDENTIALS_PATH);
}

/**
 * Plan and deploy read live cloud state: a cache hit would replay an old plan. The value is
 * not secret; it only makes the following exec unique per call.
 */
function noCache(c: Container): Container {
  return c.withEnvVariable("PIPELINES_RUN_AT", new Date().toISOString());
}

/** Shell: the stacks to act on, `$@` or every stack in cdktf.out/manifest.json in order. */
const STACKS_SH =
  'if [ "$#" -eq 0 ]; then set -- $(node -e \'const m=require("./cdktf.out/manifest.json");' +
  'console.log(Object.keys(m.stacks).join(" "))\'); fi';

/** `terraform init` + `terraform plan` of each stack (all stacks when `stacks` is empty). */
export function plan(source: Directory, googleCredentials: Secret, stacks: readonly string[] = [], config?: File): Container {
  const script = [
    "set -eu",
    STACKS_SH,
    'for s in "$@"; do',
    '  echo "=== plan $s"',
    '  terraform -chdir="cdktf.out/stacks/$s" init -input=false -no-color',
    '  terraform -chdir="cdktf.out/stacks/$s" plan -input=false -no-color -lock=false',
    "done",
  ].join("\n");
  return terraformEnv(source, googleCredentials, config)
    .with(noCache)
    .withExec(["sh", "-c", script, "plan", ...stacks]);
}

/** `cdktf deploy --auto-approve` of `stacks` (all when empty), sensitive variables as secrets. */
export function deploy(
  source: Directory,
  googleCredentials: Secret,
  secrets: SecretVariables,
  stacks: readonly string[] = [],
  config?: File,
): Container {
  let c = terraformEnv(source, googleCredentials, config);
  for (const [arg, envName] of Object.entries(SECRET_TF_VARIABLES) as [keyof SecretVariables, string][]) {
    const s = secrets[arg];
    if (s) c = c.withSecretVariable(envName, s);
  }
  const targets = stacks.length > 0 ? [...stacks] : ["*"];
  return c
    .with(noCache)
    .withExec(["npx", "cdktf", "deploy", ...targets, "--skip-synth", "--auto-approve"]);
}
