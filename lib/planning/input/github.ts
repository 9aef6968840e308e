import { z } from "zod";
import { DEFAULT_RUNNER_GROUP } from "../defaults";

/** Placeholder URL of the built-in default; the synth report flags it. */
export const PLACEHOLDER_CONFIG_URL = "https://github.com/your-org";

/**
 * What ARC's `githubConfigUrl` accepts (actions-runner-controller `github/actions/config.go`):
 * `https://<host>/<org>`, `https://<host>/<org>/<repo>` or `https://<host>/enterprises/<enterprise>`,
 * on github.com, GHE.com or a GitHub Enterprise Server host.
 */
export const GITHUB_CONFIG_URL =
  /^https:\/\/[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:\d{1,5})?\/(enterprises\/[A-Za-z0-9][-A-Za-z0-9_.]*|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\/[-A-Za-z0-9_.]+)?)\/?$/;

/** A GitHub App id (numeric) or client id (`Iv1.…`, `Iv23…`); ARC wants strings. */
const appId = z
  .union([z.string(), z.number().int().positive()])
  .transform((v) => String(v))
  .refine((v) => /^([0-9]+|Iv[0-9A-Za-z.]+)$/.test(v), {
    message: "is not a GitHub App id (a number, or a client id such as Iv23liAbCdEf)",
  });

const installationId = z
  .union([z.string(), z.number().int().positive()])
  .transform((v) => String(v))
  .refine((v) => /^[0-9]+$/.test(v), { message: "is not a GitHub App installation id (a number)" });

/** The three ways to authenticate, in the order they are named in errors. */
const CREDENTIAL_KEYS = ["app", "pat", "existingSecretName"] as const;
const CREDENTIAL_HINT =
  "set exactly one of github.app {id, installationId} (private key from TF_VAR_github_app_private_key), github.pat: true (token from TF_VAR_github_token) or github.existingSecretName";

/** `github`: where the runners register and how ARC authenticates. */
export const githubSchema = z
  .object({
    /** Organization, repository or enterprise URL. @default "https://github.com/your-org" (a placeholder) */
    configUrl: z
      .string()
      .refine((v) => GITHUB_CONFIG_URL.test(v), {
        message:
          "is not a GitHub organization, repository or enterprise URL (expected https://github.com/<org>, https://github.com/<org>/<repo> or https://github.com/enterprises/<enterprise>)",
      })
      .default(PLACEHOLDER_CONFIG_URL),
    /** Runner group the scale sets join. @default "default" */
    runnerGroup: z.string().min(1).default(DEFAULT_RUNNER_GROUP),
    /**
     * GitHub App credentials. The private key never goes in this file: it comes from the
     * sensitive Terraform variable `github_app_private_key` (`TF_VAR_github_app_private_key`).
     * @default undefined
     */
    app: z
      .object({
        /** App id or client id. */
        id: appId,
        /** Installation id of the App in the organization/repository/enterprise. */
        installationId,
      })
      .strict()
      .optional(),
    /**
     * `true`: authenticate with a personal access token taken from the sensitive Terraform
     * variable `github_token` (`TF_VAR_github_token`). Never put the token itself here.
     * @default false
     */
    pat: z.boolean().default(false),
    /**
     * Name of a pre-created Secret in the runners namespace holding `github_app_id`,
     * `github_app_installation_id` and `github_app_private_key`, or `github_token`.
     * @default undefined
     */
    existingSecretName: z
      .string()
      .max(253, { message: "is longer than 253 characters" })
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: "is not a valid Secret name (lowercase letters, digits, \"-\" and \".\")" })
      .optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    const given = CREDENTIAL_KEYS.filter((k) => (k === "pat" ? g.pat : g[k] !== undefined));
    if (given.length > 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [given[1]],
        message: `conflicts with github.${given[0]} (${CREDENTIAL_HINT})`,
      });
    } else if (given.length === 0 && g.configUrl !== PLACEHOLDER_CONFIG_URL) {
      // The built-in placeholder config stays synthesizable (it is flagged and cannot deploy).
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [], message: `needs credentials: ${CREDENTIAL_HINT}` });
    }
  })
  .default({});
