import { z } from "zod";

/** `dagger`: the engine versions and how engines run. */
export const daggerSchema = z
  .object({
    /** Engine versions; each gives exact, minor-alias and latest labels. @default ["0.20.3"] */
    versions: z.array(z.string()).default(["0.20.3"]),
    engine: z
      .object({
        /** `daemonset`: node-local hostPath cache; `statefulset`: one pod with a PVC cache. @default "daemonset" */
        mode: z.enum(["daemonset", "statefulset"]).default("daemonset"),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});
