/**
 * The config file schema: the product's user interface. Every key is optional; a file holds
 * only what it changes. Unknown keys are rejected.
 */
import { z } from "zod";
import { dnsLabel } from "./common";
import { gcpSchema } from "./gcp";
import { clusterSchema } from "./cluster";
import { kubernetesSchema } from "./kubernetes";
import { githubSchema } from "./github";
import { arcSchema } from "./arc";
import { daggerSchema } from "./dagger";
import { runnersSchema } from "./runners";
import { backendSchema } from "./backend";
import { mirrorsSchema } from "./mirrors";
import { monitoringSchema } from "./monitoring";

export const configSchema = z
  .object({
    /** Deployment name: prefixes stacks and engine releases. @default "dagger-runners" */
    name: dnsLabel(30).default("dagger-runners"),
    /** `gke`: create a GKE cluster; `existing-cluster`: deploy onto a kubeconfig's cluster. @default "gke" */
    target: z.enum(["gke", "existing-cluster"]).default("gke"),
    gcp: gcpSchema,
    cluster: clusterSchema,
    kubernetes: kubernetesSchema,
    github: githubSchema,
    arc: arcSchema,
    dagger: daggerSchema,
    runners: runnersSchema,
    backend: backendSchema,
    mirrors: mirrorsSchema,
    monitoring: monitoringSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    // Rules across sections. The engines namespace is privileged and the controller's holds
    // the listeners: each layer keeps its own.
    const namespaces: [string[], string][] = [
      [["arc", "namespace"], c.arc.namespace],
      [["dagger", "engine", "namespace"], c.dagger.engine.namespace],
    ];
    const seen = new Map<string, string>();
    for (const [path, ns] of [[["runners", "namespace"], c.runners.namespace] as [string[], string], ...namespaces]) {
      const other = seen.get(ns);
      if (other) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `conflicts with ${other} (the controller, runners and engines namespaces must differ)` });
        return;
      }
      seen.set(ns, path.join("."));
    }
  });

/** A validated config with every default filled in. */
export type RunnersConfig = z.output<typeof configSchema>;
/** What a config file may contain. */
export type RunnersConfigInput = z.input<typeof configSchema>;
