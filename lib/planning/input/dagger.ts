import { z } from "zod";
import { imageTemplate, nodeSelector, pinnedImage, quantity, resourceList, resources, toleration } from "./common";
import { MIN_ENGINE_VERSION } from "../engines";
import { engineCacheRule, engineCloudRule, engineConfigRule, engineTransportRule, priorityClassRule } from "../rules";
import { addProblems } from "./problems";
import { compareVersions, parseVersion } from "../versions";
import { DEFAULT_ENGINES_NAMESPACE, DEFAULT_ENGINE_PRIORITY } from "../defaults";

/**
 * Default engine resources, sized for the default runners pool (n2-standard-8: about 7.9 CPU /
 * 28 GiB allocatable) beside the default runners (500m / 1Gi requests each):
 * - requests 1 CPU / 2Gi: what an engine needs to load its cache and run a few builds without
 *   being starved; with GKE's system pods it leaves room for 13 default runners per node
 *   (the capacity plan in `npm run synth` shows the figures; it also fits a 4 vCPU node).
 * - no CPU limit: the engine does the pipelines' real work and may use any idle CPU on the
 *   node (CPU is compressible; requests keep every pod's share).
 * - memory limit 8Gi: a runaway build is OOM-killed inside the engine before it can make the
 *   kubelet evict runners; raise it on larger nodes.
 */
export const DEFAULT_ENGINE_RESOURCES = {
  requests: { cpu: "1", memory: "2Gi" },
  limits: { memory: "8Gi" },
};

/** A DNS-1123 subdomain (Secret and PriorityClass names). */
const dnsSubdomain = z
  .string()
  .max(253, { message: "is longer than 253 characters" })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: 'is not a valid name (lowercase letters, digits, "-" and ".")',
  });

const namespaceName = z
  .string()
  .max(63, { message: "is longer than 63 characters" })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: 'is not a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit)',
  });


/** Where the engine keys live in the config file (for the rules' messages). */
const ENGINE = ["dagger", "engine"] as const;
const at = (...keys: string[]) => [...ENGINE, ...keys];

export const engineSchema = z
  .object({
    /** `daemonset`: node-local hostPath cache; `statefulset`: one pod with a PVC cache. @default "daemonset" */
    mode: z.enum(["daemonset", "statefulset"]).default("daemonset"),
    /** Namespace the engines run in (created, PodSecurity `privileged`). @default "dagger-engines" */
    namespace: namespaceName.default(DEFAULT_ENGINES_NAMESPACE),
    /** How runners reach their engine. @default "unix" (daemonset) or "kube-pod" (statefulset) */
    transport: z.enum(["unix", "kube-pod", "tcp"]).optional(),
    /** Engine TCP port (`tcp` transport). @default 1234 with transport tcp, else unset */
    port: z.number().int().min(1).max(65535).optional(),
    /** StatefulSet PVC cache. @default {size: "100Gi", storageClass: cluster default, retainOnDelete: false} */
    cache: z
      .object({
        /** PVC size. @default "100Gi" */
        size: quantity.optional(),
        /** StorageClass of the PVC. @default the cluster's default class */
        storageClass: dnsSubdomain.optional(),
        /** Keep the PVC (and its disk) when a version is removed. @default false */
        retainOnDelete: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** Engine requests/limits. @default requests 1 CPU / 2Gi, limits memory 8Gi */
    resources: resources.default(DEFAULT_ENGINE_RESOURCES),
    /** PriorityClass of the engines, so runners never preempt one. @default {create: true, value: 1000000} */
    priorityClass: z
      .object({
        /** Create the PriorityClass (`<name>-dagger-engine` unless `name` is given). @default true */
        create: z.boolean().default(true),
        /** Name of the class to create or (create: false) of an existing one. @default "<name>-dagger-engine" when created */
        name: dnsSubdomain.optional(),
        /** Priority value of a created class (user classes allow up to 1000000000). @default 1000000 */
        value: z.number().int().min(0).max(1_000_000_000).default(DEFAULT_ENGINE_PRIORITY),
      })
      .strict()
      .default({}),
    /** nodeSelector of the engine pods (e.g. a dedicated engine pool). @default none */
    nodeSelector: nodeSelector.optional(),
    /** Tolerations of the engine pods. @default none */
    tolerations: z.array(toleration).optional(),
    /**
     * Engine image override, pinned: a map version -> image, or one string where `{version}`
     * is replaced by each version. Used as written (`mirrors.images.registry` rewrites only the
     * default). @default "registry.dagger.io/engine:v<version>" (mirrored with mirrors.images.registry)
     */
    image: z.union([imageTemplate, z.record(z.string(), pinnedImage)]).optional(),
    /** Secrets (in the engines namespace) to pull the engine image; `mirrors.images.pullSecrets` are added. @default [] */
    imagePullSecrets: z.array(dnsSubdomain).default([]),
    /** The engine's engine.json; top-level keys replace the defaults'. @default GC settings per mode */
    config: z.record(z.string(), z.unknown()).optional(),
    /** One VerticalPodAutoscaler per engine workload. */
    vpa: z
      .object({
        /** @default false */
        enabled: z.boolean().default(false),
        /** @default "Off" (recommendations only; DEFAULT_VPA_UPDATE_MODE) */
        updateMode: z.enum(["Off", "Initial", "Recreate", "InPlaceOrRecreate"]).optional(),
        /** Lower bound of recommendations. @default none */
        minAllowed: resourceList.optional(),
        /** Upper bound of recommendations. @default none */
        maxAllowed: resourceList.optional(),
      })
      .strict()
      .default({}),
    /**
     * Extra values of the Dagger chart (`dagger/dagger helm/dagger/values.yaml`), merged over the
     * values this package sets, for every engine: maps merge, named lists merge by `name`, other
     * lists and scalars replace. The escape hatch for chart keys without a config key. @default undefined
     */
    chartValues: z.record(z.string(), z.unknown()).optional(),
    /** Dagger Cloud (Magicache and traces); the token comes from TF_VAR_dagger_cloud_token. */
    cloud: z
      .object({
        /** @default false */
        enabled: z.boolean().default(false),
        /**
         * An existing Secret, present in both the engines and the runners namespaces, holding
         * `_EXPERIMENTAL_DAGGER_CACHESERVICE_TOKEN` and `DAGGER_CLOUD_TOKEN`. @default none (created from the variable)
         */
        existingSecretName: dnsSubdomain.optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((e, ctx) => {
    addProblems(ctx, ENGINE, [
      ...engineTransportRule(e, { mode: at("mode"), transport: at("transport") }),
      ...engineCacheRule(e, { mode: at("mode"), cache: at("cache") }),
      ...engineCloudRule(e.cloud, { enabled: at("cloud", "enabled"), existingSecretName: at("cloud", "existingSecretName") }),
      ...priorityClassRule(e.priorityClass, DEFAULT_ENGINE_PRIORITY, { create: at("priorityClass", "create"), value: at("priorityClass", "value") }),
    ]);
  });

/** `dagger`: the engine versions and how engines run. */
export const daggerSchema = z
  .object({
    /** Engine versions; each gives exact, minor-alias and latest labels. @default ["0.20.3"] */
    versions: z.array(z.string()).default(["0.20.3"]),
    /**
     * Versions being drained before their removal (each also in `versions`): their engine stays,
     * their scale sets take no new jobs and let running ones finish, and the aliases and
     * `dagger-latest` move to the newest version that is not draining. Remove a version from
     * `versions` (and here) once its jobs are done. @default []
     */
    draining: z.array(z.string()).default([]),
    engine: engineSchema.default({}),
  })
  .strict()
  .superRefine((d, ctx) => {
    const min = parseVersion(MIN_ENGINE_VERSION);
    const parsed: string[] = [];
    d.versions.forEach((raw, i) => {
      let v;
      try {
        v = parseVersion(raw);
      } catch {
        return; // the deployment plan reports malformed versions
      }
      parsed.push(v.text);
      if (compareVersions(v, min) < 0) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["versions", i],
          message: `is older than ${MIN_ENGINE_VERSION}, the first Dagger chart with engine.json, port and PVC support`,
        });
      }
    });
    // engine.json against the schema of every configured version (dagger.versions).
    addProblems(ctx, ["dagger"], engineConfigRule(d.engine.config, parsed, { config: [...ENGINE, "config"] }));
    const image = d.engine.image;
    if (typeof image === "string" && !image.includes("{version}") && parsed.length > 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["engine", "image"],
        message: `is one image for ${parsed.length} engine versions (put {version} in it, or map each version to its image)`,
      });
    }
    if (image !== undefined && typeof image === "object") {
      for (const key of Object.keys(image)) {
        if (!parsed.includes(key.replace(/^v/, ""))) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ["engine", "image", key],
            message: `is the image of a version that is not in dagger.versions (${parsed.join(", ")})`,
          });
        }
      }
    }
  })
  .default({});
