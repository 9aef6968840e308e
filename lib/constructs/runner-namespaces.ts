import { Construct } from "constructs";
import { Lazy } from "cdktf";
import { NamespaceV1 } from "../imports/kubernetes";
import { distinctNamespacesRule, formatProblem } from "../planning/rules";
import { CONTROLLER_POD_SECURITY, PodSecurityLevel, podSecurityLabels } from "../planning/arc-values";

/** Props of {@link RunnerNamespaces}. */
export interface RunnerNamespacesProps {
  /** Namespace of the ARC controller and its listener pods (`arc.namespace`). */
  readonly controllerNamespace: string;
  /** Namespace of the runner pods, scale sets and GitHub Secret (`runners.namespace`). */
  readonly runnersNamespace: string;
  /**
   * Create both namespaces. `false`: they exist already (names are used as given, nothing is
   * labelled: set their PodSecurity labels yourself). @default true
   */
  readonly create?: boolean;
  /**
   * Initial PodSecurity level of the runners namespace; raised by {@link RunnerNamespaces.requireRunnersLevel}
   * once the engine transports are known. @default "baseline"
   */
  readonly runnersPodSecurity?: PodSecurityLevel;
}

const ORDER: PodSecurityLevel[] = ["restricted", "baseline", "privileged"];

/**
 * The controller and runners namespaces, each labelled with the least PodSecurity level it needs.
 * Built before the engines: the runners namespace's level is resolved lazily at synth time, so
 * the runner layer can raise it to `privileged` when runners mount a node socket.
 */
export class RunnerNamespaces extends Construct {
  /** Controller namespace name (a reference to the namespace resource when created). */
  readonly controllerNamespace: string;
  /** Runners namespace name (a reference to the namespace resource when created). */
  readonly runnersNamespace: string;
  /** The runners namespace's name as given (never a reference). */
  readonly runnersNamespaceName: string;
  /** Whether this construct created the namespaces. */
  readonly created: boolean;
  /** The namespace resources, when created. */
  readonly controller?: NamespaceV1;
  readonly runners?: NamespaceV1;
  private runnersLevel: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: RunnerNamespacesProps) {
    super(scope, id);
    this.created = props.create ?? true;
    this.runnersNamespaceName = props.runnersNamespace;
    this.runnersLevel = props.runnersPodSecurity ?? "baseline";
    // Listeners and runners are kept apart (the config file's rule, naming the props).
    this.node.addValidation({
      validate: () =>
        distinctNamespacesRule([
          { path: ["runnersNamespace"], value: props.runnersNamespace },
          { path: ["controllerNamespace"], value: props.controllerNamespace },
        ]).map(formatProblem),
    });
    if (!this.created) {
      this.controllerNamespace = props.controllerNamespace;
      this.runnersNamespace = props.runnersNamespace;
      return;
    }
    this.controller = new NamespaceV1(this, "controller", {
      metadata: {
        name: props.controllerNamespace,
        labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners", ...podSecurityLabels(CONTROLLER_POD_SECURITY) },
      },
    });
    const level = Lazy.stringValue({ produce: () => this.runnersLevel });
    this.runners = new NamespaceV1(this, "runners", {
      metadata: {
        name: props.runnersNamespace,
        labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners", ...podSecurityLabels(level) },
      },
    });
    this.controllerNamespace = this.controller.metadata.name;
    this.runnersNamespace = this.runners.metadata.name;
  }

  /** The runners namespace's current PodSecurity level. */
  get runnersPodSecurity(): PodSecurityLevel {
    return this.runnersLevel;
  }

  /** Raises (never lowers) the runners namespace's PodSecurity level. */
  requireRunnersLevel(level: PodSecurityLevel): void {
    if (ORDER.indexOf(level) > ORDER.indexOf(this.runnersLevel)) this.runnersLevel = level;
  }
}

