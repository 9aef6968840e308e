import { Construct } from "constructs";
import { PodDisruptionBudgetV1 } from "../imports/kubernetes";
import { RUNNER_POD_SELECTOR } from "./runner-cleanup";

/** `minAvailable` of the runner pods' budget: above any number of runner pods, so `disruptionsAllowed` stays 0. */
export const RUNNER_PDB_MIN_AVAILABLE = 100_000;

/** Props of {@link RunnerDisruptionBudget}. */
export interface RunnerDisruptionBudgetProps {
  /** The runners namespace. */
  readonly namespace: string;
  /** Name of the PodDisruptionBudget. @default "runners" */
  readonly name?: string;
}

/**
 * A PodDisruptionBudget that refuses every voluntary eviction of a runner pod (node drains of
 * GKE surge upgrades and `kubectl drain`, the cluster autoscaler), so a drained node's jobs run
 * to their end instead of being killed: GKE's node upgrades wait for a PDB (up to their own
 * limit, docs/cluster.md). Runner pods belong to ARC's EphemeralRunner, which has no scale
 * subresource, so Kubernetes accepts only an integer `minAvailable` for them ("Specifying a
 * Disruption Budget for your Application": arbitrary controllers take only an integer
 * `.spec.minAvailable`). It is {@link RUNNER_PDB_MIN_AVAILABLE}, more runner pods than a
 * namespace ever holds, so no eviction is ever allowed; being a constant, it does not change (and
 * show up in a plan) when scale sets or their `maxRunners` change, nor let an eviction through
 * while an old and a new runner set briefly coexist during an update.
 */
export class RunnerDisruptionBudget extends Construct {
  readonly budget: PodDisruptionBudgetV1;

  constructor(scope: Construct, id: string, props: RunnerDisruptionBudgetProps) {
    super(scope, id);
    this.budget = new PodDisruptionBudgetV1(this, "pdb", {
      metadata: { name: props.name ?? "runners", namespace: props.namespace, labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners" } },
      spec: {
        minAvailable: String(RUNNER_PDB_MIN_AVAILABLE),
        // Every ARC runner pod carries this label (resourcebuilder.go at gha-runner-scale-set-0.14.2).
        selector: { matchExpressions: [{ key: RUNNER_POD_SELECTOR, operator: "Exists" }] },
      },
    });
  }
}
