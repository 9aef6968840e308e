/**
 * Dagger Cloud token delivery for the engine layer ({@link DaggerEngines}): a sensitive Terraform
 * variable (never a config value) feeding a Secret for the runners' `DAGGER_CLOUD_TOKEN` (the
 * CLI's traces) and, for engines before 0.18.17 (the last that read the cache service), one for
 * the engines' `_EXPERIMENTAL_DAGGER_CACHESERVICE_TOKEN`. Or an existing Secret, used as is.
 * The resources are created in the engine layer's scope, so their addresses stay the layer's.
 */
import type { Construct } from "constructs";
import { TerraformVariable } from "cdktf";
import { SecretV1 } from "../imports/kubernetes";
import { CLIENT_CLOUD_TOKEN_KEY, DEFAULT_CLIENT_CLOUD_SECRET, MAGICACHE_TOKEN_KEY } from "../planning/engines";

/** Name of the Terraform variable holding the Dagger Cloud token (TF_VAR_dagger_cloud_token). */
export const DAGGER_CLOUD_TOKEN_VARIABLE = "dagger_cloud_token";

/** Inputs of {@link addEngineCloudToken}. */
export interface EngineCloudTokenInput {
  /** An existing Secret with both keys, in both namespaces. @default none: created from the variable */
  readonly existingSecretName?: string;
  /** Some engine reads the cache-service token (engines before 0.18.17). */
  readonly engineNeedsToken: boolean;
  /** Engines namespace (a token when created). */
  readonly namespace: string;
  /** Client (runners) namespace. */
  readonly clientNamespace: string;
  /** Prefix of the engines' Secret name. */
  readonly namePrefix: string;
  /** Name of the clients' Secret. @default "dagger-cloud-token" */
  readonly clientSecretName?: string;
}

/** What the engines and their clients read. */
export interface EngineCloudToken {
  /** Secret with the cache-service token, in the engines namespace (engines before 0.18.17). */
  readonly magicacheSecret?: string;
  /** Secret and key of `DAGGER_CLOUD_TOKEN` in the client namespace. */
  readonly clientSecret: { readonly name: string; readonly key: string };
  /** The sensitive variable, when no existing Secret is named. */
  readonly variable?: TerraformVariable;
}

/** Creates the token's variable and Secrets in `scope` (or names the existing Secret). */
export function addEngineCloudToken(scope: Construct, i: EngineCloudTokenInput): EngineCloudToken {
  if (i.existingSecretName) {
    return { magicacheSecret: i.existingSecretName, clientSecret: { name: i.existingSecretName, key: CLIENT_CLOUD_TOKEN_KEY } };
  }
  const token = new TerraformVariable(scope, "dagger-cloud-token", {
    type: "string",
    sensitive: true,
    nullable: false,
    description: "Dagger Cloud token (runners' traces; Magicache for engines before 0.18.17); set TF_VAR_dagger_cloud_token. Never put it in the config.",
  });
  token.overrideLogicalId(DAGGER_CLOUD_TOKEN_VARIABLE);
  let magicacheSecret: string | undefined;
  if (i.engineNeedsToken) {
    const engineSecret = new SecretV1(scope, "cloud-token-engines", {
      metadata: { name: `${i.namePrefix}-dagger-cloud`, namespace: i.namespace },
      type: "Opaque",
      data: { [MAGICACHE_TOKEN_KEY]: token.stringValue },
    });
    magicacheSecret = engineSecret.metadata.name;
  }
  const clientSecret = new SecretV1(scope, "cloud-token-clients", {
    metadata: { name: i.clientSecretName ?? DEFAULT_CLIENT_CLOUD_SECRET, namespace: i.clientNamespace },
    type: "Opaque",
    data: { [CLIENT_CLOUD_TOKEN_KEY]: token.stringValue },
  });
  return { magicacheSecret, clientSecret: { name: clientSecret.metadata.name, key: CLIENT_CLOUD_TOKEN_KEY }, variable: token };
}
