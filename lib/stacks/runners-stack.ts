import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { DataGoogleClientConfig, GoogleProvider } from "../imports/google";
import { HelmProvider } from "../imports/helm";
import { KubernetesProvider } from "../imports/kubernetes";
import type { RunnersConfig } from "../config/schema";
import type { DeploymentPlan } from "../planning/deployment";
import type { ClusterStack } from "./cluster-stack";
import { applyBackend } from "./backend";

export interface RunnersStackProps {
  readonly config: RunnersConfig;
  readonly plan: DeploymentPlan;
  /** The cluster stack of target `gke`; absent for `existing-cluster`. @default undefined */
  readonly clusterStack?: ClusterStack;
}

/** `<name>-runners`: Dagger engines, ARC and the runner scale sets. */
export class RunnersStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: RunnersStackProps) {
    super(scope, id);
    const { config, plan, clusterStack } = props;
    applyBackend(this, config.backend, id);

    if (clusterStack) {
      new GoogleProvider(this, "google", { project: config.gcp.projectId, region: config.gcp.region });
      const client = new DataGoogleClientConfig(this, "client");
      const host = `https://${clusterStack.cluster.endpoint}`;
      const ca = `\${base64decode(${clusterStack.cluster.masterAuth.clusterCaCertificate})}`;
      new KubernetesProvider(this, "kubernetes", { host, token: client.accessToken, clusterCaCertificate: ca });
      new HelmProvider(this, "helm", { kubernetes: { host, token: client.accessToken, clusterCaCertificate: ca } });
      this.addDependency(clusterStack);
    } else {
      const k = { configPath: config.kubernetes.configPath, configContext: config.kubernetes.context };
      new KubernetesProvider(this, "kubernetes", k);
      new HelmProvider(this, "helm", { kubernetes: k });
    }

    // --- Layer wiring (order matters: namespaces -> engines -> runners) ---------------------
    // [issue 4] RunnerNamespaces (lib/constructs/runner-namespaces.ts): controller + runners
    //           namespaces; exposes their names (tokens when created, so Terraform orders
    //           everything placed in them after the namespace).
    // [issue 3] DaggerEngines (lib/constructs/dagger-engines.ts): one Helm release per version;
    //           takes the client (runners) namespace; exposes EngineConnectionSpec per version.
    // [issue 4] GithubRunners (lib/constructs/github-runners.ts): ARC controller + scale sets,
    //           consuming the plan and the engine specs.
    // ---------------------------------------------------------------------------------------

    new TerraformOutput(this, "runner_labels", {
      value: plan.runnerLabels,
      description: "Every runs-on label this deployment serves, mapped to the Dagger engine version behind it",
    });
  }
}
