import { z } from "zod";
import { quantity } from "./common";

/** `kubernetes`: how target `existing-cluster` reaches its cluster. */
export const kubernetesSchema = z
  .object({
    /** Path of the kubeconfig file. @default "~/.kube/config" */
    configPath: z.string().min(1).default("~/.kube/config"),
    /** Context in the kubeconfig. @default the kubeconfig's current context */
    context: z.string().min(1).optional(),
    /**
     * Capacity of the nodes the runners and engines run on, for the capacity plan (there is no
     * machine type to look up on an existing cluster). Give what `kubectl describe node` shows
     * under Allocatable, minus the requests of the cluster's own DaemonSets.
     * @default none (the report shows no pool capacity)
     */
    nodes: z
      .object({
        /** Allocatable CPU per node, e.g. `7910m` or `8`. */
        cpu: quantity,
        /** Allocatable memory per node, e.g. `28Gi`. */
        memory: quantity,
        /** Most nodes the runners can use (the autoscaler's maximum). */
        count: z.number().int().positive(),
        /** Most pods per node. @default 110 */
        maxPods: z.number().int().positive().default(110),
        /** The nodes are Spot/preemptible VMs. @default false */
        spot: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict()
  .default({});
