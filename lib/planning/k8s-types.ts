/** Kubernetes object shapes shared by the planning code. Pure types. */

/** A Kubernetes toleration (core/v1 Toleration). */
export interface Toleration {
  readonly key?: string;
  readonly operator?: "Equal" | "Exists";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  readonly tolerationSeconds?: number;
}
