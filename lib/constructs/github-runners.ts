import { Annotations, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { RunnersConfig } from "../config/schema";
import { PLACEHOLDER_CONFIG_URL } from "../config/sections/github";
import type { EngineConnectionSpec } from "../engine-spec";
import { ServiceAccountV1 } from "../imports/kubernetes";
import { runnersPodSecurityLevel } from "../planning/arc-values";
import type { DeploymentPlan } from "../planning/deployment";
import { buildRunnerPodTemplate, engineSpecProblems } from "../planning/runner-pod";
import { ArcController } from "./arc-controller";
import { GithubCredentials } from "./github-credentials";
import { RunnerCleanup } from "./runner-cleanup";
import type { RunnerNamespaces } from "./runner-namespaces";
import { RunnerScaleSet } from "./runner-scale-set";

export interface GithubRunnersProps {
  /** `github` config section: URL, runner group, credentials. */
  readonly github: RunnersConfig["github"];
  /** `arc` config section: controller chart version and values. */
  readonly arc: RunnersConfig["arc"];
  /** `runners` config section: images, pool placement, patches, cleanup. */
  readonly runners: RunnersConfig["runners"];
  /** The deployment plan: scale sets (`plan.runners.scaleSets`) and sizes. */
  readonly plan: DeploymentPlan;
  /** Controller and runners namespaces (created before the engines). */
  readonly namespaces: RunnerNamespaces;
  /** How runners reach each engine version (the engine layer's specs). */
  readonly engines: readonly EngineConnectionSpec[];
}

/**
 * The GitHub layer: credentials Secret, ARC controller, one runner scale set per planned set
 * (each running pods wired to its engine), runner ServiceAccounts for `kube-pod`, and the
 * failed-pod cleanup CronJob.
 */
export class GithubRunners extends Construct {
  readonly credentials: GithubCredentials;
  readonly controller: ArcController;
  readonly scaleSets: RunnerScaleSet[] = [];
  readonly cleanup?: RunnerCleanup;
  /** Runner ServiceAccounts created for `kube-pod` engines, by name. */
  readonly serviceAccounts: Record<string, ServiceAccountV1> = {};
  /** `runner_labels`: every `runs-on` label of the real scale sets -> engine version. */
  readonly runnerLabels: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: GithubRunnersProps) {
    super(scope, id);
    const { github, arc, runners, plan, namespaces, engines } = props;
    const errors: string[] = [];
    const ns = namespaces.runnersNamespace;

    if (runners.namespace === arc.namespace) {
      errors.push(`runners.namespace: ${JSON.stringify(runners.namespace)} must differ from arc.namespace (listeners and runners are kept apart)`);
    }

    // Engines: one usable spec per planned version.
    const byVersion = new Map(engines.map((e) => [e.version, e]));
    for (const e of engines) {
      for (const p of engineSpecProblems(e)) errors.push(`dagger.versions: engine ${e.version} ${p}`);
    }
    for (const v of plan.runners.versions) {
      if (!byVersion.has(v.text)) errors.push(`dagger.versions: ${JSON.stringify(v.text)} has no engine connection spec (the engine layer did not provide one)`);
    }
    const level = runnersPodSecurityLevel(engines.map((e) => e.transport));
    namespaces.requireRunnersLevel(level);
    if (!namespaces.created && level === "privileged") {
      Annotations.of(this).addWarning(
        `runners.createNamespaces is false: label namespace "${runners.namespace}" pod-security.kubernetes.io/enforce=privileged (runners mount the node's engine socket)`,
      );
    }

    // Credentials.
    if (github.configUrl === PLACEHOLDER_CONFIG_URL && !github.app && !github.pat && !github.existingSecretName) {
      Annotations.of(this).addWarning("github: no credentials set (placeholder config): using a PAT from TF_VAR_github_token");
    }
    if (github.existingSecretName && namespaces.created) {
      Annotations.of(this).addWarning(
        `github.existingSecretName: Secret "${github.existingSecretName}" must exist in namespace "${runners.namespace}" before the scale sets install; with runners.createNamespaces true, create it right after the namespace or pre-create both and set createNamespaces: false`,
      );
    }
    this.credentials = new GithubCredentials(this, "credentials", {
      namespace: ns,
      app: github.app,
      pat: github.pat,
      existingSecretName: github.existingSecretName,
    });

    // Controller.
    this.controller = new ArcController(this, "controller", {
      namespace: namespaces.controllerNamespace,
      version: arc.version,
      replicas: arc.replicas,
      logLevel: arc.logLevel,
      logFormat: arc.logFormat,
      metrics: arc.metrics,
      resources: arc.resources,
      nodeSelector: arc.nodeSelector,
      tolerations: arc.tolerations,
      extraValues: arc.controllerValues,
    });

    // kube-pod: the runner ServiceAccount the engine layer binds its Role to.
    for (const e of engines) {
      if (e.transport !== "kube-pod" || !e.serviceAccountName) continue;
      if (runners.serviceAccountName && runners.serviceAccountName !== e.serviceAccountName) {
        errors.push(
          `runners.serviceAccountName: ${JSON.stringify(runners.serviceAccountName)} conflicts with the kube-pod engine ${e.version}'s ServiceAccount "${e.serviceAccountName}" (remove it: kube-pod runners use the engine's)`,
        );
      }
      if (this.serviceAccounts[e.serviceAccountName]) continue;
      this.serviceAccounts[e.serviceAccountName] = new ServiceAccountV1(this, `sa-${e.serviceAccountName}`, {
        metadata: { name: e.serviceAccountName, namespace: ns, labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners" } },
        automountServiceAccountToken: true,
      });
    }

    // Scale sets.
    const dependsOn: ITerraformDependable[] = [this.controller.release, ...Object.values(this.serviceAccounts)];
    const multiLabel = plan.runners.strategy === "multi-label";
    const version = arc.scaleSetVersion ?? arc.version;
    for (const s of plan.runners.scaleSets) {
      const engine = byVersion.get(s.version);
      if (!engine || engineSpecProblems(engine).length > 0) continue;
      const template = buildRunnerPodTemplate({
        engine,
        runnerImage: runners.image,
        resources: plan.sizes[s.size],
        kubectl: { image: runners.kubectlImage, path: runners.kubectlPath },
        engineWaitSeconds: runners.engineWaitSeconds,
        nodeSelector: runners.nodeSelector,
        tolerations: runners.tolerations,
        serviceAccountName: runners.serviceAccountName,
        templatePatch: runners.templatePatch,
      });
      const set = new RunnerScaleSet(this, s.releaseName, {
        releaseName: s.releaseName,
        namespace: ns,
        version,
        configUrl: github.configUrl,
        secretName: this.credentials.secretName,
        name: s.name,
        extraLabels: s.extraLabels,
        multiLabel,
        runnerGroup: github.runnerGroup,
        minRunners: s.minRunners,
        maxRunners: s.maxRunners,
        controllerServiceAccount: this.controller.serviceAccount,
        template,
        dependsOn,
      });
      this.scaleSets.push(set);
      for (const l of set.labels) this.runnerLabels[l] = s.version;
    }

    // Every planned label must be served by a real scale set (the report prints the plan).
    if (errors.length === 0) {
      for (const [label, v] of Object.entries(plan.runnerLabels)) {
        if (this.runnerLabels[label] !== v) errors.push(`dagger.versions: label "${label}" (engine ${v}) is served by no scale set`);
      }
    }

    // Failed-pod cleanup.
    if (runners.cleanup.enabled) {
      this.cleanup = new RunnerCleanup(this, "cleanup", {
        namespace: ns,
        schedule: runners.cleanup.schedule,
        image: runners.cleanup.image ?? runners.kubectlImage,
        kubectlPath: runners.kubectlPath,
      });
    }

    this.node.addValidation({ validate: () => errors });
  }
}
