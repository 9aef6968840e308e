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
import { addProblems } from "./problems";
import { distinctNamespacesRule, watchNamespaceRule, watchedByValues } from "../rules";

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
    /**
     * Config files of other deployments in the same GitHub organization (staging beside prod),
     * relative to this file. Synth refuses a peer with the same name, the same cluster, or a
     * scale-set name in the same runner group. @default []
     */
    peers: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Rules across sections: each layer keeps its own namespace.
    addProblems(ctx, [], [
      ...distinctNamespacesRule([
        { path: ["runners", "namespace"], value: c.runners.namespace },
        { path: ["arc", "namespace"], value: c.arc.namespace },
        { path: ["dagger", "engine", "namespace"], value: c.dagger.engine.namespace },
      ]),
      ...watchNamespaceRule(watchedByValues(c.arc.controllerValues), c.runners.namespace, { watchSingleNamespace: ["arc", "controllerValues", "flags", "watchSingleNamespace"] }),
    ]);
  });

/** A validated config with every default filled in. */
export type RunnersConfig = z.output<typeof configSchema>;
/** What a config file may contain. */
export type RunnersConfigInput = z.input<typeof configSchema>;
