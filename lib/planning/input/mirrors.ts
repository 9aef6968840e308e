import { z } from "zod";

/**
 * A registry location images are rewritten to: `host[:port][/path]`, no scheme, no tag, no
 * trailing `/`. Host components follow the Docker reference grammar (letters, digits, `-`,
 * dotted); path components are lowercase (`[a-z0-9]` separated by `.`, `_`, `__` or `-`).
 */
const REGISTRY_LOCATION =
  /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:[0-9]{1,5})?(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

/** An OCI chart repository: `oci://host[:port][/path]`. */
const OCI_REPOSITORY =
  /^oci:\/\/[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:[0-9]{1,5})?(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

const registryLocation = z.string().superRefine((v, ctx) => {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: "has a URL scheme (expected host[:port][/path] without one, e.g. registry.example.com/mirror)",
    });
  } else if (!REGISTRY_LOCATION.test(v)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: "is not a registry location (expected host[:port][/path] with a lowercase path and no tag or trailing /, e.g. registry.example.com/mirror)",
    });
  }
});

const ociRepository = z.string().refine((v) => OCI_REPOSITORY.test(v), {
  message: "is not an OCI chart repository (expected oci://host[:port][/path] with a lowercase path and no trailing /, e.g. oci://registry.example.com/charts)",
});

/** A Secret name (DNS-1123 subdomain). */
const secretName = z
  .string()
  .max(253, { message: "is longer than 253 characters" })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: 'is not a valid Secret name (lowercase letters, digits, "-" and ".")',
  });

/**
 * `mirrors`: pull every image and chart the deployment uses from private locations (air-gapped
 * or egress-restricted clusters). Without it, the public upstream locations. Images pinned
 * explicitly (`dagger.engine.image`, `runners.image`, `runners.kubectlImage`,
 * `runners.copyToolImage`, `runners.cleanup.image`, `arc.controllerValues.image`) are used as
 * written, never rewritten. `npm run report` lists every final location.
 */
export const mirrorsSchema = z
  .object({
    images: z
      .object({
        /**
         * Registry prefix `host[:port][/path]` replacing the registry host of every default
         * image, keeping the repository path and tag: `docker.io/library/busybox:1.37.0-musl`
         * becomes `<registry>/library/busybox:1.37.0-musl`. @default none (the upstream registries)
         */
        registry: registryLocation.optional(),
        /**
         * Names of existing `kubernetes.io/dockerconfigjson` Secrets added to every pod the
         * deployment runs (engines, runners, ARC controller and listeners, cleanup job); each must
         * exist in the engines, controller and runners namespaces. @default []
         */
        pullSecrets: z
          .array(secretName)
          .superRefine((names, ctx) => {
            names.forEach((n, i) => {
              const first = names.indexOf(n);
              if (first < i) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `duplicates mirrors.images.pullSecrets[${first}]` });
            });
          })
          .default([]),
      })
      .strict()
      .default({}),
    charts: z
      .object({
        /** OCI repository holding the `dagger-helm` chart. @default "oci://registry.dagger.io" */
        dagger: ociRepository.optional(),
        /**
         * OCI repository holding the `gha-runner-scale-set-controller` and `gha-runner-scale-set`
         * charts. @default "oci://ghcr.io/actions/actions-runner-controller-charts"
         */
        arc: ociRepository.optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type MirrorsConfig = z.output<typeof mirrorsSchema>;
