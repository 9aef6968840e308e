import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import { DataGoogleClientConfig, GoogleProvider } from "../imports/google";
import { HelmProvider } from "../imports/helm";
import { KubernetesProvider } from "../imports/kubernetes";
import type { RunnersConfig } from "../config/schema";
import type { DeploymentPlan } from "../planning/deployment";
import type { ClusterStack } from "./cluster-stack";
import { applyBackend } from "./backend";
import { applyPlacement } from "../planning/placement";
import { defaultLabel, workflowSnippet } from "../planning/workflow";
import { DaggerEngines, daggerEnginesFromConfig } from "../constructs/dagger-engines";
import { RunnerNamespaces } from "../constructs/runner-namespaces";
import { GithubRunners } from "../constructs/github-runners";

/** Props of {@link RunnersStack}. */
export interface RunnersStackProps {
  /** The validated config (lib/config/schema.ts). */
  readonly config: RunnersConfig;
  /** The deployment plan derived from {@link config} (lib/planning/deployment.ts, `planDeployment`). */
  readonly plan: DeploymentPlan;
  /** The cluster stack of target `gke`; absent for `existing-cluster`. @default undefined */
  readonly clusterStack?: ClusterStack;
}

/** `<name>-runners`: Dagger engines, ARC and the runner scale sets. */
export class RunnersStack extends TerraformStack {
  /** The engine layer: one Dagger engine per version; `engines.specs` tells clients how to reach each. */
  public readonly engines: DaggerEngines;
  /** The controller and runners namespaces. */
  public readonly namespaces: RunnerNamespaces;
  /** The GitHub layer: ARC controller, runner scale sets, cleanup. */
  public readonly runners: GithubRunners;

  constructor(scope: Construct, id: string, props: RunnersStackProps) {
    super(scope, id);
    const { config, plan, clusterStack } = props;
    applyBackend(this, config.backend, id);

    // Cluster access. gke: providers configured from the cluster stack through cross-stack references (cdktf
    // turns them into outputs of `<name>-cluster` read here through terraform_remote_state)
    // and a short-lived access token of the deploying identity (google_client_config);
    // addDependency orders the stacks, so `cdktf deploy '*'` creates the cluster first.
    // existing-cluster: a kubeconfig file and context.
    if (clusterStack) {
      new GoogleProvider(this, "google", { project: config.gcp.projectId, region: config.gcp.region });
      const client = new DataGoogleClientConfig(this, "client");
      const access = {
        host: `https://${clusterStack.endpoint}`,
        token: client.accessToken,
        clusterCaCertificate: Fn.base64decode(clusterStack.cluster.masterAuth.clusterCaCertificate),
      };
      new KubernetesProvider(this, "kubernetes", access);
      new HelmProvider(this, "helm", { kubernetes: access });
      this.addDependency(clusterStack);
    } else {
      const k = { configPath: config.kubernetes.configPath, configContext: config.kubernetes.context };
      new KubernetesProvider(this, "kubernetes", k);
      new HelmProvider(this, "helm", { kubernetes: k });
    }
    // The config with the planned placement (node pools on gke, none on an existing cluster)
    // merged into dagger.engine.* and runners.* nodeSelector/tolerations, explicit settings
    // winning: the layers below read it from there.
    const placed = applyPlacement(config, plan.placement);

    // Layers, in order: the namespaces (their names are tokens when created, so Terraform
    // orders everything placed in them after them), the engines (given the runners namespace
    // as their client namespace), then the GitHub runners using the engines' connection specs.
    this.namespaces = new RunnerNamespaces(this, "runner-namespaces", {
      controllerNamespace: config.arc.namespace,
      runnersNamespace: config.runners.namespace,
      create: config.runners.createNamespaces,
    });
    this.engines = daggerEnginesFromConfig(this, "dagger-engines", placed, plan, this.namespaces.runnersNamespace);
    this.runners = new GithubRunners(this, "github", {
      github: placed.github,
      arc: placed.arc,
      runners: placed.runners,
      plan,
      namespaces: this.namespaces,
      engines: this.engines.specs,
      // Workload Identity for jobs: the runner ServiceAccount acts as the jobs' Google account.
      serviceAccountAnnotations: plan.cluster?.jobsServiceAccount
        ? { "iam.gke.io/gcp-service-account": plan.cluster.jobsServiceAccount.email }
        : undefined,
      // The gpu pool's size runs there, tolerates its taint and requests its GPUs.
      sizePlacement: plan.placement.gpu ? { [plan.placement.gpu.size]: plan.placement.gpu } : undefined,
    });

    new TerraformOutput(this, "runner_labels", {
      value: this.runners.runnerLabels,
      description: "Every runs-on label this deployment serves, mapped to the Dagger engine version behind it",
    });
    if (clusterStack) {
      // Name and location are known at synth (plain values: cdktf marks cross-stack outputs
      // sensitive, which Terraform would refuse in a non-sensitive output).
      new TerraformOutput(this, "cluster_name", { value: clusterStack.clusterPlan.name, description: "GKE cluster the runners run on" });
      new TerraformOutput(this, "cluster_location", { value: clusterStack.clusterPlan.location, description: "Region or zone of the cluster" });
      new TerraformOutput(this, "cluster_endpoint", {
        value: clusterStack.endpoint,
        sensitive: true,
        description: "Control plane endpoint (terraform output -raw cluster_endpoint)",
      });
    } else {
      new TerraformOutput(this, "kubernetes_context", {
        value: `${config.kubernetes.configPath}${config.kubernetes.context ? `#${config.kubernetes.context}` : " (current context)"}`,
        description: "Kubeconfig file and context the runners were deployed with",
      });
    }
    new TerraformOutput(this, "namespaces", {
      value: {
        controller: config.arc.namespace,
        runners: config.runners.namespace,
        engines: this.engines.namespaceName,
      },
      description: "Kubernetes namespaces of the ARC controller, the runner pods and the Dagger engines",
    });
    new TerraformOutput(this, "workflow_snippet", {
      value: workflowSnippet(plan.runners),
      description: `A workflow using the default label ${defaultLabel(plan.runners)} (terraform output -raw workflow_snippet)`,
    });
  }
}
