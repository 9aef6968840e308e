import { z } from "zod";

/** `backend`: where Terraform keeps state. */
export const backendSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("local") }).strict(),
    z
      .object({
        type: z.literal("gcs"),
        /** GCS bucket holding state. */
        bucket: z.string().regex(/^[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9]$/, { message: "is not a GCS bucket name" }),
        /** Prefix; each stack gets `<prefix>/<stack>`. @default "cdktf-dagger-runners" */
        prefix: z.string().min(1).default("cdktf-dagger-runners"),
      })
      .strict(),
  ])
  .default({ type: "local" });
