/** Schema pieces shared by several config sections. */
import { z } from "zod";
import { isQuantity } from "../quantity";

/** A DNS-1123 label (Kubernetes object names, label values). */
export const dnsLabel = (max = 63) =>
  z
    .string()
    .max(max, { message: `is longer than ${max} characters` })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
      message: 'is not a valid name (lowercase letters, digits and "-", starting and ending with a letter or digit)',
    });

/** A Kubernetes resource quantity such as `500m`, `2`, `4Gi`. */
export const quantity = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  // The capacity plan's parser decides what a quantity is (lib/planning/quantity.ts).
  .refine((v) => isQuantity(v), {
    message: "is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)",
  });

/** `{cpu, memory}` (plus extended resources such as `nvidia.com/gpu`). */
export const resourceList = z
  .object({ cpu: quantity.optional(), memory: quantity.optional() })
  .catchall(quantity);

/** Kubernetes `requests`/`limits`. */
export const resources = z
  .object({ requests: resourceList.optional(), limits: resourceList.optional() })
  .strict();

/** A Kubernetes toleration. */
export const toleration = z
  .object({
    key: z.string().optional(),
    operator: z.enum(["Equal", "Exists"]).optional(),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .strict();

export const nodeSelector = z.record(z.string(), z.string());

/** A container image reference pinned to a tag or digest (never `:latest`). */
export const pinnedImage = z
  .string()
  .min(1)
  .refine((v) => /(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/.test(v) && !/:latest$/.test(v), {
    message: "is not a pinned image (expected repository:tag or repository@sha256:digest, not :latest)",
  });

/** An image template: `{version}` is replaced by each engine version. */
export const imageTemplate = z
  .string()
  .min(1)
  .refine((v) => pinnedImage.safeParse(v.replace(/\{version\}/g, "0.0.0")).success, {
    message: "is not a pinned image (expected repository:tag or repository@sha256:digest, not :latest; {version} is replaced by each engine version)",
  });
