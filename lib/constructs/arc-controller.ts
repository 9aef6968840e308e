import { Construct } from "constructs";
import { HelmRelease } from "../imports/helm";
import { ArcCrds } from "./arc-crds";
import {
  ARC_CHART_REPOSITORY,
  ARC_CONTROLLER_CHART,
  ARC_CONTROLLER_RELEASE,
  ControllerValues,
  controllerValues,
} from "../planning/arc-values";
import type { ResourceRequirements, Toleration } from "../planning/k8s-types";
import { controllerServiceAccountRule, formatProblem } from "../planning/rules";
import { DEFAULT_ARC_LOG_FORMAT, DEFAULT_ARC_LOG_LEVEL, DEFAULT_ARC_REPLICAS, DEFAULT_ARC_UPDATE_STRATEGY } from "../planning/defaults";

/** Props of {@link ArcController}. */
export interface ArcControllerProps {
  /** Namespace of the controller (and of the listener pods it creates). */
  readonly namespace: string;
  /** Chart version (`arc.version`); scale sets must use the same. */
  readonly version: string;
  /** Controller replicas; leader election above 1. @default 1 */
  readonly replicas?: number;
  /** `debug`, `info`, `warn` or `error`. @default "info" */
  readonly logLevel?: string;
  /** `eventual` (wait for running jobs before applying a changed scale set) or `immediate`. @default "eventual" */
  readonly updateStrategy?: "eventual" | "immediate";
  /** `json` or `text`. @default "json" */
  readonly logFormat?: string;
  /** Prometheus metrics on `:8080/metrics`. @default false */
  readonly metrics?: boolean;
  /** Controller resources. @default undefined */
  readonly resources?: ResourceRequirements;
  /** Controller nodeSelector. @default undefined */
  readonly nodeSelector?: Record<string, string>;
  /** Controller tolerations. @default undefined */
  readonly tolerations?: readonly Toleration[];
  /**
   * Controller image; the controller runs it as every listener too (gha-runner-scale-set-controller
   * 0.14.2 `templates/deployment.yaml` passes it as `CONTROLLER_MANAGER_CONTAINER_IMAGE`).
   * @default the chart's: ghcr.io/actions/gha-runner-scale-set-controller:<chart version>
   */
  readonly image?: { readonly repository: string; readonly tag: string };
  /** Pull Secrets in the controller namespace, for the controller and the listener pods. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** OCI repository of the controller chart. @default ARC_CHART_REPOSITORY (oci://ghcr.io/actions/actions-runner-controller-charts) */
  readonly chartRepository?: string;
  /** Extra chart values merged over the typed ones (`arc.controllerValues`). @default {} */
  readonly extraValues?: Record<string, unknown>;
  /**
   * Install ARC's CRDs as their own release ({@link ArcCrds}) that the controller waits for, and
   * skip the chart's `crds/`; `false`: the chart's `crds/` (installed once, never upgraded).
   * @default true
   */
  readonly manageCrds?: boolean;
  /**
   * Install ARC's CRDs at all. `false`: another deployment on the same cluster installs them (its
   * {@link ArcCrds} release, at the same version): neither the CRD release nor the chart's
   * `crds/` (`skip_crds`). Helm would not stop a second `arc-crds` release: it adopts objects
   * with `take_ownership` whatever release owns them (helm v3.18.4, the helm provider 3.1.1's,
   * `pkg/action/install.go`: `requireAdoption` instead of `existingResourceConflict`).
   * @default true
   */
  readonly installCrds?: boolean;
  /**
   * Reconcile the scale sets of this one namespace only (`flags.watchSingleNamespace`; the
   * runners namespace): the chart then creates Roles instead of its ClusterRole and
   * ClusterRoleBinding, so two controllers can share a cluster (docs/runners.md, "Two
   * deployments side by side"). @default undefined (every namespace, cluster-wide RBAC)
   */
  readonly watchSingleNamespace?: string;
}

/** The `gha-runner-scale-set-controller` Helm release. */
export class ArcController extends Construct {
  readonly release: HelmRelease;
  readonly values: ControllerValues;
  /** The controller's ServiceAccount, for the scale sets' `controllerServiceAccount`. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
  readonly version: string;
  /** The CRD release (absent with `manageCrds: false` or `installCrds: false`). */
  readonly crds?: ArcCrds;

  constructor(scope: Construct, id: string, props: ArcControllerProps) {
    super(scope, id);
    this.version = props.version;
    this.values = controllerValues({
      replicas: props.replicas ?? DEFAULT_ARC_REPLICAS,
      logLevel: props.logLevel ?? DEFAULT_ARC_LOG_LEVEL,
      logFormat: props.logFormat ?? DEFAULT_ARC_LOG_FORMAT,
      updateStrategy: props.updateStrategy ?? DEFAULT_ARC_UPDATE_STRATEGY,
      metrics: props.metrics ?? false,
      resources: props.resources,
      nodeSelector: props.nodeSelector,
      tolerations: props.tolerations,
      image: props.image,
      imagePullSecrets: props.imagePullSecrets,
      watchSingleNamespace: props.watchSingleNamespace,
      extra: props.extraValues,
    });
    const sa = this.values.serviceAccount;
    // The config file's rule (lib/planning/rules.ts), naming the prop.
    this.node.addValidation({ validate: () => controllerServiceAccountRule(props.extraValues, { extraValues: ["extraValues"] }).map(formatProblem) });
    this.serviceAccount = { name: String(sa?.name ?? ""), namespace: props.namespace };
    const installCrds = props.installCrds ?? true;
    if (installCrds && (props.manageCrds ?? true)) this.crds = new ArcCrds(this, "crds", { namespace: props.namespace, version: props.version });
    this.release = new HelmRelease(this, "release", {
      name: ARC_CONTROLLER_RELEASE,
      namespace: props.namespace,
      repository: props.chartRepository ?? ARC_CHART_REPOSITORY,
      chart: ARC_CONTROLLER_CHART,
      version: props.version,
      values: [JSON.stringify(this.values)],
      wait: true,
      // The CRDs come from their own release, upgraded before the controller (ArcCrds), or
      // from another deployment's (installCrds: false).
      skipCrds: this.crds || !installCrds ? true : undefined,
      dependsOn: this.crds ? [this.crds.release] : undefined,
    });
  }
}
