import { z } from "zod";

/** Placeholder URL of the built-in default; the synth report flags it. */
export const PLACEHOLDER_CONFIG_URL = "https://github.com/your-org";

/** `github`: where the runners register. */
export const githubSchema = z
  .object({
    /** Organization, repository or enterprise URL. @default "https://github.com/your-org" (a placeholder) */
    configUrl: z.string().url({ message: "is not a URL (e.g. https://github.com/my-org)" }).default(PLACEHOLDER_CONFIG_URL),
    /** Runner group the scale sets join. @default "default" */
    runnerGroup: z.string().min(1).default("default"),
  })
  .strict()
  .default({});
