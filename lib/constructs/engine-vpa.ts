/**
 * One VerticalPodAutoscaler per engine workload of the engine layer ({@link DaggerEngines}),
 * created in the layer's scope so its address stays the layer's. Needs the VPA CRDs.
 */
import type { Construct } from "constructs";
import { Manifest } from "../imports/kubernetes";
import { ENGINE_CONTAINER_NAME, EngineMode, EngineNames, engineId } from "../planning/engines";
import { DEFAULT_VPA_UPDATE_MODE } from "../planning/defaults";

/** VerticalPodAutoscaler settings. */
export interface EngineVpaProps {
  /** Create one VerticalPodAutoscaler per engine workload (needs the VPA CRDs). @default false */
  readonly enabled?: boolean;
  /** The VPA's `updatePolicy.updateMode`; `Off` only recommends, `Recreate` restarts engines. @default "Off" */
  readonly updateMode?: "Off" | "Initial" | "Recreate" | "InPlaceOrRecreate";
  /** Lower bound of the recommendations (`cpu`, `memory`). @default none */
  readonly minAllowed?: Readonly<Record<string, string>>;
  /** Upper bound of the recommendations (`cpu`, `memory`). @default none */
  readonly maxAllowed?: Readonly<Record<string, string>>;
}

/** Creates the VPA of `engine` in `scope`. */
export function addEngineVpa(scope: Construct, engine: EngineNames, mode: EngineMode, namespace: string, vpa: EngineVpaProps): Manifest {
  const policy: Record<string, unknown> = {
    containerName: ENGINE_CONTAINER_NAME,
    controlledResources: ["cpu", "memory"],
    ...(vpa.minAllowed ? { minAllowed: vpa.minAllowed } : {}),
    ...(vpa.maxAllowed ? { maxAllowed: vpa.maxAllowed } : {}),
  };
  return new Manifest(scope, `vpa-${engineId(engine)}`, {
    manifest: {
      apiVersion: "autoscaling.k8s.io/v1",
      kind: "VerticalPodAutoscaler",
      metadata: { name: engine.workloadName, namespace },
      spec: {
        targetRef: { apiVersion: "apps/v1", kind: mode === "daemonset" ? "DaemonSet" : "StatefulSet", name: engine.workloadName },
        updatePolicy: { updateMode: vpa.updateMode ?? DEFAULT_VPA_UPDATE_MODE },
        resourcePolicy: { containerPolicies: [policy] },
      },
    },
  });
}
