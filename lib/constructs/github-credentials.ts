import { Construct } from "constructs";
import { TerraformVariable } from "cdktf";
import { SecretV1 } from "../imports/kubernetes";

/** Terraform variable (TF_VAR_github_app_private_key) holding the GitHub App private key PEM. */
export const GITHUB_APP_PRIVATE_KEY_VARIABLE = "github_app_private_key";
/** Terraform variable (TF_VAR_github_token) holding a personal access token. */
export const GITHUB_TOKEN_VARIABLE = "github_token";

/** Props of {@link GithubCredentials}. */
export interface GithubCredentialsProps {
  /** Namespace of the scale sets: ARC reads the Secret from there. */
  readonly namespace: string;
  /** GitHub App ids; the private key comes from the sensitive variable `github_app_private_key`. @default undefined */
  readonly app?: { readonly id: string; readonly installationId: string };
  /** Use a PAT from the sensitive variable `github_token`. @default false */
  readonly pat?: boolean;
  /** A pre-created Secret in {@link namespace}; nothing is created. @default undefined */
  readonly existingSecretName?: string;
  /** Name of the Secret this construct creates. @default "github-config" */
  readonly secretName?: string;
}

/**
 * The Secret ARC authenticates with (keys per actions-runner-controller charts/gha-runner-scale-set
 * values.yaml: `github_app_id`, `github_app_installation_id`, `github_app_private_key`, or
 * `github_token`). Secret material only flows from sensitive Terraform variables into the
 * Secret: never into the config file, Helm values or `cdk.tf.json` (it does reach Terraform
 * state, which must be protected).
 */
export class GithubCredentials extends Construct {
  /** Name of the Secret to pass as `githubConfigSecret` (a reference when created here). */
  readonly secretName: string;
  /** The Secret, when created here. */
  readonly secret?: SecretV1;
  /** The sensitive variable, when one is needed. */
  readonly variable?: TerraformVariable;

  constructor(scope: Construct, id: string, props: GithubCredentialsProps) {
    super(scope, id);
    if (props.existingSecretName) {
      this.secretName = props.existingSecretName;
      return;
    }
    // A sensitive string variable named `name` in Terraform (TF_VAR_<name>).
    const sensitive = (name: string, description: string) => {
      const v = new TerraformVariable(this, name, { type: "string", sensitive: true, nullable: false, description });
      v.overrideLogicalId(name);
      return v;
    };
    let data: Record<string, string>;
    if (props.app) {
      this.variable = sensitive(GITHUB_APP_PRIVATE_KEY_VARIABLE, "GitHub App private key (PEM) for ARC; set TF_VAR_github_app_private_key");
      data = {
        github_app_id: props.app.id,
        github_app_installation_id: props.app.installationId,
        github_app_private_key: this.variable.stringValue,
      };
    } else {
      this.variable = sensitive(GITHUB_TOKEN_VARIABLE, "GitHub personal access token for ARC; set TF_VAR_github_token");
      data = { github_token: this.variable.stringValue };
    }
    this.secret = new SecretV1(this, "secret", {
      metadata: {
        name: props.secretName ?? "github-config",
        namespace: props.namespace,
        labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners" },
      },
      type: "Opaque",
      data,
    });
    this.secretName = this.secret.metadata.name;
  }
}
