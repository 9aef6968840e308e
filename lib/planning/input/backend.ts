import { z } from "zod";

/**
 * `backend`: where Terraform keeps state. `local` (default): `terraform.<stack>.tfstate` files in
 * the working directory. `gcs`: a bucket, with each stack at `<prefix>/<stack name>`.
 */
export const backendSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("local") }).strict(),
    z
      .object({
        type: z.literal("gcs"),
        /** GCS bucket holding state. */
        bucket: z.string().regex(/^[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9]$/, { message: "is not a GCS bucket name" }),
        /** Prefix; each stack gets `<prefix>/<stack>`. @default "cdktf-dagger-runners" */
        prefix: z
          .string()
          .regex(/^[^/\s](.*[^/\s])?$/, { message: 'is not a state prefix (a non-empty path without leading or trailing "/", e.g. ci/dagger-runners)' })
          .default("cdktf-dagger-runners"),
      })
      .strict(),
  ])
  .default({ type: "local" });
