import { Construct } from "constructs";
import { Annotations, TerraformOutput, TerraformStack } from "cdktf";
import { HelmProvider } from "../imports/helm";
import { KubernetesProvider } from "../imports/kubernetes";
import type { RunnersConfig } from "../planning/input/schema";
import type { DeploymentPlan } from "../planning/deployment";
import { IRunnersCluster, KubeconfigCluster, providerConfigs } from "../cluster-access";
import { applyBackend } from "./backend";
import { defaultLabel, workflowSnippet } from "../planning/workflow";
import type { DaggerEngines } from "../constructs/dagger-engines";
import { RunnerNamespaces } from "../constructs/runner-namespaces";
import { GithubRunners } from "../constructs/github-runners";
import { daggerEnginesFromConfig, githubRunnersPropsFromPlan } from "./layer-props";
import { RunnerMonitoring } from "../constructs/runner-monitoring";
import { RunnerAlerts } from "../constructs/runner-alerts";
import { GrafanaDashboard } from "../constructs/grafana-dashboard";

/** Props of {@link RunnersStack}. */
export interface RunnersStackProps {
  /** The validated config (lib/planning/input/schema.ts). */
  readonly config: RunnersConfig;
  /** The deployment plan derived from {@link config} (lib/planning/deployment.ts, `planDeployment`). */
  readonly plan: DeploymentPlan;
  /**
   * The cluster to deploy onto: our {@link ClusterStack} (target `gke`), an `EndpointCluster` of
   * your own (EKS, AKS, GKE from another stack), or a `KubeconfigCluster`.
   * @default a KubeconfigCluster of `config.kubernetes` (target `existing-cluster`); required for target `gke`
   */
  readonly cluster?: IRunnersCluster;
}

/** `<name>-runners`: Dagger engines, ARC and the runner scale sets. */
export class RunnersStack extends TerraformStack {
  /** The engine layer: one Dagger engine per version; `engines.specs` tells clients how to reach each. */
  public readonly engines: DaggerEngines;
  /** The controller and runners namespaces. */
  public readonly namespaces: RunnerNamespaces;
  /** The GitHub layer: ARC controller, runner scale sets, cleanup. */
  public readonly runners: GithubRunners;
  /** Scrape objects of the controller, listener and engine metrics (`monitoring.collector`). */
  public readonly monitoring: RunnerMonitoring;
  /** Alert rules (`monitoring.alerts`). */
  public readonly alerts: RunnerAlerts;
  /** The Grafana dashboard ConfigMap (collector prometheus-operator, `monitoring.dashboard`). */
  public readonly grafanaDashboard?: GrafanaDashboard;

  constructor(scope: Construct, id: string, props: RunnersStackProps) {
    super(scope, id);
    const { config, plan } = props;
    applyBackend(this, config.backend, id);
    // The deployment's one warnings list (placeholders, engines, runners, images, capacity,
    // cluster), each once: plain `cdktf synth` prints them as this stack's warnings.
    for (const w of plan.warnings) Annotations.of(this).addWarning(w);

    // Cluster access: whatever the cluster needs in this stack (a token data source, a
    // dependency on the stack that creates it), then the Kubernetes and Helm providers.
    const cluster =
      props.cluster ??
      (config.target === "existing-cluster" ? new KubeconfigCluster({ configPath: config.kubernetes.configPath, context: config.kubernetes.context }) : undefined);
    if (!cluster) throw new Error(`RunnersStack ${id}: target "gke" needs props.cluster (the ClusterStack, or a cluster of your own)`);
    const binding = cluster.bind(this);
    const providers = providerConfigs(binding.access);
    new KubernetesProvider(this, "kubernetes", providers.kubernetes);
    new HelmProvider(this, "helm", { kubernetes: providers.helm });
    // Layers, in order: the namespaces (their names are tokens when created, so Terraform
    // orders everything placed in them after them), the engines (given the runners namespace
    // as their client namespace), then the GitHub runners using the engines' connection specs.
    this.namespaces = new RunnerNamespaces(this, "runner-namespaces", {
      controllerNamespace: config.arc.namespace,
      runnersNamespace: config.runners.namespace,
      create: config.runners.createNamespaces,
    });
    this.engines = daggerEnginesFromConfig(this, "dagger-engines", config, plan, this.namespaces.runnersNamespace);
    // Scale sets go before the engine they use on destroy (and after it on create); the GPU
    // engines' releases are keyed by release name, as the scale sets using them name them.
    const gpuReleases = Object.fromEntries(this.engines.gpuSpecs.map((g) => [g.releaseName, this.engines.gpuReleases[g.version]]));
    this.runners = new GithubRunners(
      this,
      "github",
      githubRunnersPropsFromPlan(config, plan, this.namespaces, [...this.engines.specs, ...this.engines.gpuSpecs], { ...this.engines.releases, ...gpuReleases }),
    );

    this.monitoring = new RunnerMonitoring(this, "monitoring", {
      collector: plan.monitoring.collector,
      targets: plan.monitoring.targets,
      interval: plan.monitoring.interval,
      labels: plan.monitoring.labels,
      dependsOn: [this.runners.controller.release, ...Object.values(this.engines.releases), ...Object.values(this.engines.gpuReleases)],
    });
    this.alerts = new RunnerAlerts(this, "alerts", {
      collector: plan.monitoring.collector,
      objects: plan.alerts.objects,
      labels: plan.monitoring.labels,
      dependsOn: [this.runners.controller.release, ...Object.values(this.engines.releases), ...Object.values(this.engines.gpuReleases)],
    });
    if (plan.alerts.dashboard?.kind === "grafana") {
      this.grafanaDashboard = new GrafanaDashboard(this, "grafana-dashboard", {
        dashboard: plan.alerts.dashboard,
        labels: plan.monitoring.labels,
        dependsOn: [this.runners.controller.release],
      });
    }

    new TerraformOutput(this, "runner_labels", {
      value: this.runners.runnerLabels,
      description: "Every runs-on label this deployment serves, mapped to the Dagger engine version behind it",
    });
    for (const o of binding.outputs ?? []) {
      new TerraformOutput(this, o.name, { value: o.value, description: o.description, sensitive: o.sensitive });
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
