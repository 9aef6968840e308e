import { z } from "zod";
import { dnsLabel, nodeSelector, pinnedImage, resources, toleration } from "./common";
import { DEFAULT_LABEL_PREFIX, DEFAULT_MAX_RUNNERS, DEFAULT_MIN_RUNNERS } from "../defaults";
import { DEFAULT_CLIENT_SERVICE_ACCOUNT } from "../engines";
import { PINNED_RUNNER, RUNNER_IMAGE_REPOSITORY } from "../runner-release";

/**
 * Default runner image: the official ARC runner image, pinned to {@link PINNED_RUNNER} (its
 * version and release date live there). ARC's ephemeral runners do not self-update and GitHub
 * stops serving runners that fall behind (lib/planning/runner-release.ts): the report warns.
 */
export const DEFAULT_RUNNER_IMAGE = `${RUNNER_IMAGE_REPOSITORY}:${PINNED_RUNNER.version}`;

/**
 * Default size: the runner pod only checks out code and drives the Dagger CLI; the pipeline's
 * work runs in the engine, so the runner itself is small.
 */
export const DEFAULT_SIZES = {
  "": { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
};

/**
 * Default `kubectl` for `kube-pod` runners and the cleanup CronJob: the official image
 * (registry.k8s.io/kubectl, published since Kubernetes 1.28 by kubernetes/kubernetes PR 116672,
 * `build/server-image/kubectl/Dockerfile`: the binary at `/bin/kubectl`, `ENTRYPOINT
 * ["/bin/kubectl"]`). Treat it as distroless: that Dockerfile has been both a distroless `BASEIMAGE`
 * and debian-base with bash/coreutils (PR 119592), and v1.34 images have no
 * `/bin/sh` (NatLabRockies/openstudio-server-helm issue 97). Nothing here runs a shell or `cp`
 * from it: the runner pod copies `kubectl` out with the static BusyBox of
 * {@link DEFAULT_COPY_TOOL_IMAGE}, and the cleanup job runs `kubectl` as its command.
 * Tags are `v<kubernetes version>`; keep it within one minor of the cluster (kubectl skew policy).
 */
export const DEFAULT_KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.34.9";

/**
 * Default copy tool: the official BusyBox image, statically linked (`CONFIG_STATIC=y` in
 * docker-library/busybox `latest-1/musl/Dockerfile.builder`) at `/bin/busybox`, so it also runs
 * inside distroless images. Multi-arch like the kubectl and engine images.
 */
export const DEFAULT_COPY_TOOL_IMAGE = "docker.io/library/busybox:1.37.0-musl";

/** A 5-field cron schedule or a `@hourly`-style macro. */
const cronSchedule = z
  .string()
  .refine((v) => /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/.test(v.trim()), {
    message: 'is not a cron schedule (5 fields such as "*/15 * * * *", or @hourly)',
  });

/** `runners.cleanup`: the CronJob deleting failed runner pods. */
export const cleanupSchema = z
  .object({
    /** Run the cleanup CronJob. @default true */
    enabled: z.boolean().default(true),
    /** Cron schedule. @default every 15 minutes ("*\/15 * * * *", DEFAULT_CLEANUP_SCHEDULE) */
    schedule: cronSchedule.optional(),
    /** Pinned image with `kubectl` at `runners.kubectlPath`, run as the command (no shell needed); used as written. @default runners.kubectlImage */
    image: pinnedImage.optional(),
  })
  .strict()
  .default({});

/**
 * One `runners.schedules` entry: warm runners for some labels at some times (lib/planning/schedules.ts,
 * docs/runners.md "Warm runners on a schedule").
 */
export const scheduleSchema = z
  .object({
    /** When the window starts: a weekly cron (5 fields, day-of-month and month `*`), e.g. "0 8 * * 1-5". */
    cron: z.string(),
    /** IANA time zone of `cron` and `endCron` (CronJob `spec.timeZone`). @default "Etc/UTC" */
    timeZone: z.string().optional(),
    /** Idle runners each of the labels' scale sets keeps during the window (the largest wins where windows overlap). */
    minRunners: z.number().int().nonnegative(),
    /** `runs-on` labels whose scale sets are warmed (see `npm run report`). */
    labels: z.array(z.string()).min(1, { message: "is empty (name at least one runs-on label)" }),
    /** How long the window lasts (`10h`, `90m`, `1h30m`); or give `endCron`. */
    duration: z.string().optional(),
    /** When the window ends: a weekly cron, e.g. "0 18 * * 1-5"; or give `duration`. */
    endCron: z.string().optional(),
  })
  .strict();

/** `runners`: the runner scale sets and their pods. */
export const runnersSchema = z
  .object({
    /** Namespace of the runner pods, the scale sets and the GitHub Secret. @default "arc-runners" */
    namespace: dnsLabel().default("arc-runners"),
    /**
     * Create the controller and runners namespaces. `false`: they must exist (e.g. pre-created
     * with a `github.existingSecretName` Secret in the runners namespace). @default true
     */
    createNamespaces: z.boolean().default(true),
    /** Idle runners kept for each exact-version label. @default 0 */
    minRunners: z.number().int().nonnegative().default(DEFAULT_MIN_RUNNERS),
    /**
     * First part of every `runs-on` label and scale-set name (`<prefix>-v0.20`, `<prefix>-latest`).
     * Two deployments in one GitHub organization and runner group (staging and prod) need
     * different prefixes, e.g. `dagger-staging`: scale-set names must be unique in a runner group.
     * Changing it renames every label (and replaces every scale set). @default "dagger"
     */
    labelPrefix: dnsLabel(20).default(DEFAULT_LABEL_PREFIX),
    /** Idle runners kept for each alias label (`dagger-v0.20`, `dagger-latest`). @default minRunners */
    aliasMinRunners: z.number().int().nonnegative().optional(),
    /** Most runners of each scale set. @default 10 */
    maxRunners: z.number().int().positive().default(DEFAULT_MAX_RUNNERS),
    /**
     * Runner image (pinned), used as written (`mirrors.images.registry` rewrites only the
     * default). @default "ghcr.io/actions/actions-runner:2.333.1" (mirrored with mirrors.images.registry)
     */
    image: pinnedImage.optional(),
    /** Size name -> requests/limits; `""` is no label suffix. @default {"": 500m/1Gi requests, 2Gi memory limit} */
    sizes: z
      .record(z.string(), resources)
      .refine((s) => Object.keys(s).length > 0, { message: 'is empty (give at least one size, e.g. "": {...})' })
      .optional(),
    /** nodeSelector of runner pods (the runner node pool). @default undefined */
    nodeSelector: nodeSelector.optional(),
    /** Tolerations of runner pods. @default undefined */
    tolerations: z.array(toleration).optional(),
    /**
     * Extra PodSpec fields merged into every runner pod's spec. Lists of named items
     * (`containers`, `initContainers`, `volumes`, `env`, `volumeMounts`) merge by `name`; other
     * lists and scalars replace. @default undefined
     */
    templatePatch: z.record(z.string(), z.unknown()).optional(),
    /**
     * The listener pods' template, set as every scale set's `listenerTemplate` chart value
     * (`metadata` and `spec`; a `spec.containers` entry named `listener` is merged into ARC's
     * listener container, other containers are added as side-cars). @default undefined (ARC's listener pod)
     */
    listenerTemplate: z
      .object({ metadata: z.record(z.string(), z.unknown()).optional(), spec: z.record(z.string(), z.unknown()) })
      .strict()
      .optional(),
    /**
     * `kubectl` image (pinned) for `kube-pod` runners and the cleanup job; may be distroless. Used
     * as written. @default "registry.k8s.io/kubectl:v1.34.9" (mirrored with mirrors.images.registry)
     */
    kubectlImage: pinnedImage.optional(),
    /** Path of `kubectl` inside `kubectlImage`. @default "/bin/kubectl" (DEFAULT_KUBECTL_PATH) */
    kubectlPath: z.string().regex(/^\/\S+$/, { message: "is not an absolute path" }).optional(),
    /**
     * Pinned image with a statically linked BusyBox at `/bin/busybox`. Runner pods stage it in an
     * init-only emptyDir and run its `cp` inside the engine and `kubectl` images to copy `dagger`
     * and `kubectl` out, so those images need no shell and no `cp`. Used as written.
     * @default "docker.io/library/busybox:1.37.0-musl" (mirrored with mirrors.images.registry)
     */
    copyToolImage: pinnedImage.optional(),
    /**
     * ServiceAccount of every runner pod, created in the runners namespace. `kube-pod` engines
     * bind their exec Role to it; with Workload Identity (target gke) it carries the jobs'
     * Google service account. @default "dagger-runner"
     */
    serviceAccountName: dnsLabel(63).default(DEFAULT_CLIENT_SERVICE_ACCOUNT),
    /** `unix` transport: seconds a new runner waits for its node's engine socket. @default 300 (DEFAULT_ENGINE_WAIT_SECONDS) */
    engineWaitSeconds: z.number().int().min(1).max(3600).optional(),
    /**
     * Seconds an apply (or `cdktf destroy`) waits for a removed scale set: ARC deletes it only
     * once its busy runners have finished their jobs. Past it the apply reports a timeout; the
     * removal goes on in the cluster. At most 5 days, the longest a job may run on a self-hosted
     * runner (GitHub docs, "Actions limits": job execution time). @default 21600
     * (DEFAULT_SCALE_SET_HELM_TIMEOUT: 6 h, GitHub's default job timeout)
     */
    removalWaitSeconds: z.number().int().min(60).max(432000).optional(),
    cleanup: cleanupSchema,
    /**
     * Warm runners on a schedule: in-cluster CronJobs raise and restore `minRunners` on the
     * scale sets (needs `arc.updateStrategy: immediate`). @default []
     */
    schedules: z.array(scheduleSchema).default([]),
  })
  .strict()
  .default({});
