/**
 * The whole deployment as one construct: its props have the shape of the config file (the file
 * is their serialization; `lib/planning/input/schema.ts` is the one source of keys, defaults and docs),
 * plus, optionally, a cluster of your own to deploy onto.
 */
import { Construct } from "constructs";
import { App } from "cdktf";
import type { RunnersConfig, RunnersConfigInput } from "../planning/input/schema";
import { ConfigError, parseConfig } from "../config/load";
import type { DeploymentPlan } from "../planning/deployment";
import type { IRunnersCluster } from "../cluster-access";
import { ClusterStack } from "./cluster-stack";
import { RunnersStack } from "./runners-stack";

/** Props of {@link RunnersDeployment}: every key of the config file (README "Configuration reference"), all optional. */
export interface RunnersDeploymentProps extends RunnersConfigInput {
  /**
   * Deploy onto this cluster instead of creating one: an `EndpointCluster` (EKS, AKS, a GKE
   * cluster from another stack) or a `KubeconfigCluster`. Implies `target: "existing-cluster"`
   * and replaces the `kubernetes` connection keys (`kubernetes.nodes` still feeds the capacity plan).
   * @default none: target `gke` creates the cluster stack; target `existing-cluster` uses `kubernetes.configPath`/`context`
   */
  readonly existingCluster?: IRunnersCluster;
}

/**
 * One deployment: the `<name>-cluster` stack (target `gke`) and the `<name>-runners` stack
 * (Dagger engines, ARC, the runner scale sets). Bad props fail `cdktf synth` with one line naming
 * the prop, as the config file's errors name the key; nothing is built then.
 *
 * The stacks are created at the top level of the app, not under this construct: cdktf 0.21's
 * manifest names a stack by its id but its dependencies by construct path
 * (`lib/manifest.js` `forStack`), so a nested stack's dependency would name no stack and
 * `cdktf deploy '*'` could not order them.
 */
export class RunnersDeployment extends Construct {
  /** The validated props with every default filled in; undefined when they are invalid. */
  readonly config?: RunnersConfig;
  /** The deployment plan (labels, engines, capacity, images); undefined when the props are invalid. */
  readonly plan?: DeploymentPlan;
  /** The GKE cluster stack (target `gke`). */
  readonly clusterStack?: ClusterStack;
  /** The engines, ARC and runners stack; undefined when the props are invalid. */
  readonly runnersStack?: RunnersStack;

  constructor(scope: Construct, id: string, props: RunnersDeploymentProps = {}) {
    super(scope, id);
    const { existingCluster, ...raw } = props;
    let parsed: { config: RunnersConfig; plan: DeploymentPlan };
    try {
      if (existingCluster && raw.target === "gke") {
        throw new ConfigError('existingCluster: conflicts with target "gke" (a cluster of your own means target "existing-cluster")');
      }
      parsed = parseConfig(existingCluster ? { ...raw, target: "existing-cluster" } : raw);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // Validations run per stack and on the app; with no stack built, the app reports it.
      const message = `[${this.node.path}] ${e.message}`;
      App.of(this).node.addValidation({ validate: () => [message] });
      return;
    }
    const { config, plan } = parsed;
    this.config = config;
    this.plan = plan;
    const app = App.of(this);
    this.clusterStack = plan.stacks.cluster ? new ClusterStack(app, plan.stacks.cluster, { config, plan }) : undefined;
    this.runnersStack = new RunnersStack(app, plan.stacks.runners, { config, plan, cluster: existingCluster ?? this.clusterStack });
  }
}
