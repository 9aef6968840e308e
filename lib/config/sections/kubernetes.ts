import { z } from "zod";

/** `kubernetes`: how target `existing-cluster` reaches its cluster. */
export const kubernetesSchema = z
  .object({
    /** Path of the kubeconfig file. @default "~/.kube/config" */
    configPath: z.string().min(1).default("~/.kube/config"),
    /** Context in the kubeconfig. @default the kubeconfig's current context */
    context: z.string().min(1).optional(),
  })
  .strict()
  .default({});
