/**
 * Keyless Google credentials for Terraform: GitHub OIDC -> Google Workload Identity Federation.
 *
 * The pipeline writes an external-account credential configuration (the format of
 * google-github-actions/auth `createCredentialsFile`, src/client/workload_identity_federation.ts)
 * and points `GOOGLE_APPLICATION_CREDENTIALS` at it; the google provider and the GCS backend
 * read it through Application Default Credentials. It holds no secret: only the audience (the
 * workload identity provider), the service account to impersonate and the path of a file that
 * holds the current GitHub OIDC token.
 *
 * Why the token is minted in the container, not passed in: a GitHub OIDC token expires 5
 * minutes after it is issued (exp - iat = 300 s; google-github-actions/auth issues 474 and
 * 485), and every terraform process (init, plan, apply, each provider plugin) exchanges it
 * with Google's STS when it starts. A token handed over at the start of a deploy would be
 * dead before the runners stack's plan. So the workflow hands over what the runner uses to
 * request tokens, `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`
 * (present when the job has `permissions: id-token: write`), as Dagger Secrets mounted as
 * files, and MINT_SCRIPT requests a fresh token right before each terraform command into a
 * tmpfs. Within one process the federated and impersonated tokens last an hour.
 *
 * Pure: no Dagger imports, so jest loads it directly.
 */

/** A one-line error of the Google credential arguments. */
export class GoogleAuthError extends Error {}

/** Token endpoint of Google's Security Token Service. */
export const STS_TOKEN_URL = "https://sts.googleapis.com/v1/token";

/** Where the request URL and token secrets are mounted. */
export const OIDC_REQUEST_URL_PATH = "/run/secrets/github-oidc-request-url";
export const OIDC_REQUEST_TOKEN_PATH = "/run/secrets/github-oidc-request-token";
/** tmpfs directory the minted token is written to (never a layer). */
export const OIDC_TOKEN_DIR = "/run/github-oidc";
export const OIDC_TOKEN_PATH = `${OIDC_TOKEN_DIR}/token`;
/** The mint script and the credential configuration in the container. */
export const MINT_SCRIPT_PATH = "/usr/local/lib/pipelines/mint-oidc.mjs";
export const EXTERNAL_ACCOUNT_PATH = "/etc/pipelines/google-external-account.json";

const PROVIDER = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
const SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/** Checks the provider's resource name; one line on error. */
export function checkWorkloadIdentityProvider(value: string): string {
  if (!PROVIDER.test(value)) {
    throw new GoogleAuthError(
      `workloadIdentityProvider: ${JSON.stringify(value)} is not a workload identity provider name (expected projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>, the cluster stack's github_oidc_provider output)`,
    );
  }
  return value;
}

/** Checks a service account email; one line on error. */
export function checkServiceAccount(value: string): string {
  if (!SERVICE_ACCOUNT.test(value)) {
    throw new GoogleAuthError(
      `serviceAccount: ${JSON.stringify(value)} is not a service account email (expected <id>@<project>.iam.gserviceaccount.com, the cluster stack's github_oidc_plan_service_account or github_oidc_deploy_service_account output)`,
    );
  }
  return value;
}

/**
 * The audience GitHub's token is requested for and Google checks: the provider's full name as
 * an https URL, the default allowed audience of an OIDC provider without `allowedAudiences`.
 */
export function oidcAudience(provider: string): string {
  return `https://iam.googleapis.com/${checkWorkloadIdentityProvider(provider)}`;
}

/** The external-account credential configuration (JSON text; no secret in it). */
export function externalAccountCredentials(provider: string, serviceAccount: string): string {
  checkWorkloadIdentityProvider(provider);
  checkServiceAccount(serviceAccount);
  return JSON.stringify(
    {
      type: "external_account",
      audience: `//iam.googleapis.com/${provider}`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: STS_TOKEN_URL,
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`,
      credential_source: { file: OIDC_TOKEN_PATH, format: { type: "text" } },
    },
    null,
    2,
  );
}

/**
 * Requests a GitHub OIDC token for `PIPELINES_OIDC_AUDIENCE` and prints it (the request: GET
 * `$ACTIONS_ID_TOKEN_REQUEST_URL&audience=...` with `Authorization: bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answer `{"value": "<jwt>"}`; docs.github.com "OpenID
 * Connect", methods for requesting the OIDC token). Errors name the HTTP status, never the
 * token.
 */
export const MINT_SCRIPT = `import { readFileSync } from "node:fs";
const read = (p) => readFileSync(p, "utf8").trim();
const url = new URL(read(${JSON.stringify(OIDC_REQUEST_URL_PATH)}));
url.searchParams.set("audience", process.env.PIPELINES_OIDC_AUDIENCE);
const res = await fetch(url, { headers: { Authorization: "bearer " + read(${JSON.stringify(OIDC_REQUEST_TOKEN_PATH)}) } });
if (!res.ok) {
  process.stderr.write("github oidc: the token request failed: HTTP " + res.status + " (does the job have permissions: id-token: write?)\\n");
  process.exit(1);
}
const { value } = await res.json();
if (typeof value !== "string" || value.split(".").length !== 3) {
  process.stderr.write("github oidc: the token request answered without a token\\n");
  process.exit(1);
}
process.stdout.write(value);
`;

/** The shell command run before each terraform command that talks to Google. */
export const MINT_COMMAND = `node ${MINT_SCRIPT_PATH} > ${OIDC_TOKEN_PATH}`;
