import { z } from "zod";
import { zoneRegion } from "../network";

/** Placeholder project id of the built-in default; the synth report flags it. */
export const PLACEHOLDER_PROJECT_ID = "your-gcp-project-id";

/** GCP project id: 6-30 lowercase letters, digits and hyphens, starting with a letter. */
export const projectId = z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, {
  message: "is not a GCP project id (6-30 lowercase letters, digits and hyphens, starting with a letter)",
});

/** `gcp`: the Google Cloud project and location (target `gke`). */
export const gcpSchema = z
  .object({
    /** GCP project id. @default "your-gcp-project-id" (a placeholder) */
    projectId: projectId.default(PLACEHOLDER_PROJECT_ID),
    /** Region of the cluster, subnet and NAT. @default "us-central1" */
    region: z
      .string()
      .regex(/^[a-z]+-[a-z]+[0-9]+$/, { message: "is not a GCP region (e.g. us-central1)" })
      .default("us-central1"),
    /**
     * Zones of the nodes, all inside `region`. Regional cluster: the node locations (default:
     * GKE picks). Zonal cluster (`cluster.regional: false`): the first zone is the cluster's
     * location, further zones are extra node locations. @default [] (zonal clusters need one)
     */
    zones: z
      .array(z.string().regex(/^[a-z]+-[a-z]+[0-9]+-[a-z]$/, { message: "is not a GCP zone (e.g. us-central1-a)" }))
      .default([]),
    /**
     * Enable the project services the stacks need (compute, container, iam, ...); they are
     * never disabled on destroy. Turn off when the project is managed elsewhere. @default true
     */
    enableServices: z.boolean().default(true),
  })
  .strict()
  .superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.zones.forEach((zone, i) => {
      if (zoneRegion(zone) !== g.region) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["zones", i],
          message: `is not in gcp.region "${g.region}" (expected a zone such as ${g.region}-a)`,
        });
      } else if (seen.has(zone)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["zones", i], message: "is listed twice in gcp.zones" });
      }
      seen.add(zone);
    });
  })
  .default({});
