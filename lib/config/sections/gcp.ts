import { z } from "zod";

/** Placeholder project id of the built-in default; the synth report flags it. */
export const PLACEHOLDER_PROJECT_ID = "your-gcp-project-id";

/** `gcp`: the Google Cloud project and location (target `gke`). */
export const gcpSchema = z
  .object({
    /** GCP project id. @default "your-gcp-project-id" (a placeholder) */
    projectId: z
      .string()
      .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, {
        message: "is not a GCP project id (6-30 lowercase letters, digits and hyphens, starting with a letter)",
      })
      .default(PLACEHOLDER_PROJECT_ID),
    /** Region of the cluster, subnet and NAT. @default "us-central1" */
    region: z
      .string()
      .regex(/^[a-z]+-[a-z]+[0-9]+$/, { message: "is not a GCP region (e.g. us-central1)" })
      .default("us-central1"),
  })
  .strict()
  .default({});
