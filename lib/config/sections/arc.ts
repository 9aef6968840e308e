import { z } from "zod";

/** `arc`: the Actions Runner Controller. */
export const arcSchema = z
  .object({
    /** Chart version of the controller and of every scale set. @default "0.14.2" */
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, { message: "is not a chart version (expected MAJOR.MINOR.PATCH, e.g. 0.14.2)" })
      .default("0.14.2"),
    /** `per-label`: one scale set per label; `multi-label`: one per version and size (ARC >= 0.14). @default "per-label" */
    labelStrategy: z.enum(["per-label", "multi-label"]).default("per-label"),
  })
  .strict()
  .default({});
