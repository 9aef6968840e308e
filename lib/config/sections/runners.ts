import { z } from "zod";
import { pinnedImage, resources } from "./common";

/**
 * Default runner image: the official ARC runner image, pinned. ARC's ephemeral runners do not
 * self-update and GitHub stops serving runners that fall too far behind: keep this current.
 */
export const DEFAULT_RUNNER_IMAGE = "ghcr.io/actions/actions-runner:2.333.1";

/**
 * Default size: the runner pod only checks out code and drives the Dagger CLI; the pipeline's
 * work runs in the engine, so the runner itself is small.
 */
export const DEFAULT_SIZES = {
  "": { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
};

/** `runners`: the runner scale sets and their pods. */
export const runnersSchema = z
  .object({
    /** Idle runners kept for each exact-version label. @default 0 */
    minRunners: z.number().int().nonnegative().default(0),
    /** Idle runners kept for each alias label (`dagger-v0.20`, `dagger-latest`). @default minRunners */
    aliasMinRunners: z.number().int().nonnegative().optional(),
    /** Most runners of each scale set. @default 10 */
    maxRunners: z.number().int().positive().default(10),
    /** Runner image (pinned). @default "ghcr.io/actions/actions-runner:2.333.1" */
    image: pinnedImage.default(DEFAULT_RUNNER_IMAGE),
    /** Size name -> requests/limits; `""` is no label suffix. @default {"": 500m/1Gi requests, 2Gi memory limit} */
    sizes: z
      .record(z.string(), resources)
      .refine((s) => Object.keys(s).length > 0, { message: 'is empty (give at least one size, e.g. "": {...})' })
      .optional(),
  })
  .strict()
  .default({});
