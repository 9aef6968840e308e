import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { HelmRelease } from "../imports/helm";
import { ARC_CHART_REPOSITORY, ARC_SCALE_SET_CHART, ScaleSetValues, scaleSetValues } from "../planning/arc-values";
import type { PodTemplate } from "../planning/runner-pod";
import type { ListenerMetricsValues } from "../planning/monitoring";
import { formatProblem, runnerCountRule, scaleSetNamesRule } from "../planning/rules";
import { DEFAULT_MAX_RUNNERS, DEFAULT_MIN_RUNNERS, DEFAULT_RUNNER_GROUP, DEFAULT_SCALE_SET_HELM_TIMEOUT } from "../planning/defaults";

/** Props of {@link RunnerScaleSet}. */
export interface RunnerScaleSetProps {
  /** Helm release name (DNS-1123, at most 45 characters). */
  readonly releaseName: string;
  /** Namespace of the scale set and its runner pods. */
  readonly namespace: string;
  /** Chart version; must equal the controller's (patch may differ from 0.12.0 on). */
  readonly version: string;
  /** `githubConfigUrl`. */
  readonly configUrl: string;
  /** Name of the Secret in {@link namespace} with the GitHub credentials. */
  readonly secretName: string;
  /**
   * `runnerScaleSetName`: a label GitHub registers. ARC registers the labels only when it creates
   * the scale set, so a set whose {@link extraLabels} change needs a new name
   * (`multiLabelScaleSetName` in lib/planning/labels.ts puts the labels' hash in it).
   */
  readonly name: string;
  /** `scaleSetLabels` (ARC >= 0.14). @default [] */
  readonly extraLabels?: readonly string[];
  /** Set `scaleSetLabels` (multi-label strategy). @default false */
  readonly multiLabel?: boolean;
  /** Runner group. @default "default" */
  readonly runnerGroup?: string;
  /** Idle runners. @default 0 */
  readonly minRunners?: number;
  /** Most runners. @default 10 */
  readonly maxRunners?: number;
  /** The controller's ServiceAccount (set explicitly: no cluster lookup). */
  readonly controllerServiceAccount: { readonly name: string; readonly namespace: string };
  /** Runner pod template. */
  readonly template: PodTemplate;
  /**
   * The listener's metrics (`listenerMetrics`: names and labels); served only when the controller
   * has metrics on. @default undefined (ARC's defaults)
   */
  readonly listenerMetrics?: ListenerMetricsValues;
  /**
   * The listener pod's template (the chart's `listenerTemplate`: `metadata` and a PodSpec whose
   * `listener` container entry is merged into ARC's listener container). @default ARC's listener pod
   */
  readonly listenerTemplate?: Readonly<Record<string, unknown>>;
  /**
   * The ARC controller's version, annotated on the AutoscalingRunnerSet (`resourceMeta`) so that
   * a controller upgrade changes the values hash and the controller recreates the listener with
   * its new image (ARC issue 4572). @default none (the listener keeps its image across upgrades)
   */
  readonly controllerVersion?: string;
  /** OCI repository of the scale-set chart. @default ARC_CHART_REPOSITORY (oci://ghcr.io/actions/actions-runner-controller-charts) */
  readonly chartRepository?: string;
  /** Resources to create first (controller, Secret, ServiceAccounts). @default [] */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Seconds Terraform waits for Helm on this release. Installs and upgrades end at once (the chart
   * has no workload to wait for); an uninstall ends when the AutoscalingRunnerSet is gone, which
   * ARC delays until every runner that runs a job has finished it, so a removed or renamed scale
   * set never cancels a job and the apply reports the removal only once it is done.
   * @default 21600 (DEFAULT_SCALE_SET_HELM_TIMEOUT: 6 h, GitHub's default job timeout)
   */
  readonly timeout?: number;
}

/**
 * One `gha-runner-scale-set` Helm release (chart keys: actions-runner-controller
 * `charts/gha-runner-scale-set/values.yaml` 0.14.x).
 *
 * Its uninstall waits (`wait`, {@link RunnerScaleSetProps.timeout}; hashicorp/helm provider
 * v3.1.1 `resource_helm_release.go` passes both to Helm's uninstall) until ARC has deleted the
 * AutoscalingRunnerSet: ARC deletes its listener, then its runners, skipping each one that still
 * runs a job until the job ends (actions-runner-controller gha-runner-scale-set-0.14.2,
 * `ephemeralrunnerset_controller.go` `cleanUpEphemeralRunners`, `ephemeralrunner_controller.go`
 * finalizer: JobStillRunning, retried every 30 s), then the scale set on GitHub. So whatever
 * Terraform removes after it (the engine, the controller) outlives its jobs.
 */
export class RunnerScaleSet extends Construct {
  readonly release: HelmRelease;
  readonly values: ScaleSetValues;
  /** Every `runs-on` label this scale set serves. */
  readonly labels: readonly string[];

  constructor(scope: Construct, id: string, props: RunnerScaleSetProps) {
    super(scope, id);
    const multiLabel = props.multiLabel ?? false;
    // The planner's rules for scale sets (lib/planning/rules.ts), naming the props.
    this.node.addValidation({
      validate: () =>
        [
          ...runnerCountRule(props.minRunners ?? DEFAULT_MIN_RUNNERS, props.maxRunners ?? DEFAULT_MAX_RUNNERS, { minRunners: ["minRunners"], maxRunners: ["maxRunners"] }),
          ...scaleSetNamesRule(props, { name: { path: ["name"], value: props.name }, releaseName: { path: ["releaseName"], value: props.releaseName } }),
        ].map(formatProblem),
    });
    this.values = scaleSetValues({
      configUrl: props.configUrl,
      secretName: props.secretName,
      name: props.name,
      extraLabels: props.extraLabels ?? [],
      multiLabel,
      runnerGroup: props.runnerGroup ?? DEFAULT_RUNNER_GROUP,
      minRunners: props.minRunners ?? DEFAULT_MIN_RUNNERS,
      maxRunners: props.maxRunners ?? DEFAULT_MAX_RUNNERS,
      controllerServiceAccount: props.controllerServiceAccount,
      template: props.template,
      listenerMetrics: props.listenerMetrics,
      listenerTemplate: props.listenerTemplate,
      controllerVersion: props.controllerVersion,
    });
    this.labels = [props.name, ...(multiLabel ? props.extraLabels ?? [] : [])];
    this.release = new HelmRelease(this, "release", {
      name: props.releaseName,
      namespace: props.namespace,
      repository: props.chartRepository ?? ARC_CHART_REPOSITORY,
      chart: ARC_SCALE_SET_CHART,
      version: props.version,
      values: [JSON.stringify(this.values)],
      dependsOn: props.dependsOn,
      wait: true,
      timeout: props.timeout ?? DEFAULT_SCALE_SET_HELM_TIMEOUT,
    });
  }
}
