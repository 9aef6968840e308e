/**
 * The Dagger chart's values of one engine, from the engine layer's resolved settings. Pure.
 *
 * Chart facts (dagger/dagger helm/dagger, values.yaml and templates/engine-{daemonset,
 * statefulset}.yaml, magicache-secret.yaml, _helpers.tpl, read at the 0.17-era commit of March
 * 2025 and the 0.19/0.20-era commit of 2026 that bracket the default chart 0.20.3; every key
 * below is in both):
 * `engine.kind`, `engine.image.ref`, `engine.imagePullSecrets` (list of {name}),
 * `engine.resources`, `engine.priorityClassName`, `engine.nodeSelector`, `engine.tolerations`,
 * `engine.configJson` (a string, mounted as /etc/dagger/engine.json), `engine.port` (adds
 * `--addr tcp://0.0.0.0:<port>`), `engine.hostPath.dataVolume.enabled`,
 * `engine.statefulSet.persistentVolumeClaim.*` (volumeClaimTemplate `data`),
 * `engine.statefulSet.persistentVolumeClaimRetentionPolicy.*` (rendered only with the PVC on),
 * `engine.env` (a `toYaml` list). Dagger Cloud reaches the engine only for engines before
 * 0.18.17, the last that read the cache-service variables (`engineReadsCacheService` in
 * lib/planning/engines.ts), through `engine.env`: the chart's own `magicache` values load the
 * Secret with an `envFrom` its StatefulSet mis-renders up to 0.20.3 (dagger/dagger issue 10065).
 */
import type { EnvVar, ResourceRequirements, Toleration } from "./k8s-types";
import { EngineMode, GPU_RESOURCE, GPU_SUPPORT_ENV, MAGICACHE_TOKEN_KEY, MAGICACHE_URL, MAGICACHE_URL_ENV, chartCreatesService, engineReadsCacheService, imageOverride } from "./engines";
import { EngineConfig, effectiveEngineConfig } from "./engine-config";
import { ENGINE_METRICS_ADDR_ENV, METRICS_PORT_NAME } from "./monitoring";
import { parseVersion } from "./versions";
import { mergePatch } from "./runner-pod";
import { DEFAULT_ENGINE_RESOURCES } from "./input/dagger";
import { DEFAULT_CACHE_SIZE } from "./defaults";

/** The engines' Prometheus endpoint (lib/planning/monitoring.ts `MonitoringPlan.engineMetrics`). */
export interface EngineMetricsProps {
  /** Port of the endpoint. */
  readonly port: number;
  /** Engine versions that read `_EXPERIMENTAL_DAGGER_METRICS_ADDR` (0.18.11 and newer). */
  readonly versions: readonly string[];
  /** Of those, the versions whose chart has `engine.containerPorts` (0.19.1 and newer). @default [] */
  readonly namedPortVersions?: readonly string[];
}

/** The engine layer's settings that shape the chart values (a subset of `DaggerEnginesProps`). */
export interface EngineValuesInput {
  /** `daemonset` or `statefulset`. */
  readonly mode: EngineMode;
  /** Image override: `{version}` template or version -> image. @default the chart's (registry.dagger.io/engine:v<version>) */
  readonly image?: string | Readonly<Record<string, string>>;
  /** Pull Secrets in the engines namespace. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** Engine container requests/limits. @default DEFAULT_ENGINE_RESOURCES */
  readonly resources?: ResourceRequirements;
  /** @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** @default none */
  readonly tolerations?: readonly Toleration[];
  /** engine.json; top-level keys replace the defaults'. @default GC defaults per mode */
  readonly engineConfig?: EngineConfig;
  /** StatefulSet PVC cache. @default {size: "100Gi", retainOnDelete: false} */
  readonly cache?: { readonly size?: string; readonly storageClass?: string; readonly retainOnDelete?: boolean };
  /** The engines' metrics endpoint. @default none */
  readonly metrics?: EngineMetricsProps;
  /** Extra chart values merged over the typed ones (maps merge, lists and scalars replace). @default none */
  readonly chartValues?: Readonly<Record<string, unknown>>;
  /** A GPU engine: `_EXPERIMENTAL_DAGGER_GPU_SUPPORT=true` in its env. @default false */
  readonly gpuSupport?: boolean;
}

/**
 * A GPU engine's container resources: the engine's, plus `nvidia.com/gpu: <gpus>` as request
 * and limit (an extended resource cannot be overcommitted: its request, if given, must equal
 * its limit).
 */
export function gpuEngineResources(resources: ResourceRequirements | undefined, gpus: number): ResourceRequirements {
  const r = resources ?? DEFAULT_ENGINE_RESOURCES;
  return {
    ...r,
    requests: { ...(r.requests ?? {}), [GPU_RESOURCE]: String(gpus) },
    limits: { ...(r.limits ?? {}), [GPU_RESOURCE]: String(gpus) },
  };
}

/** What the engine layer resolves per deployment: the class, the cache-service Secret, the TCP port. */
export interface EngineValuesExtras {
  /** @default none */
  readonly priorityClassName?: string;
  /** Secret with the cache-service token (engines before 0.18.17). @default none */
  readonly magicacheSecret?: string;
  /** TCP port. @default none (unix socket only) */
  readonly port?: number;
}

/** The Dagger chart's values the engine layer sets (dagger/dagger helm/dagger/values.yaml). */
export interface DaggerChartValues {
  readonly engine: {
    readonly kind: "DaemonSet" | "StatefulSet";
    readonly image?: { readonly ref: string };
    readonly imagePullSecrets?: readonly { readonly name: string }[];
    readonly resources: ResourceRequirements;
    readonly priorityClassName?: string;
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly tolerations?: readonly Toleration[];
    readonly configJson: string;
    readonly port?: number;
    /** Engine arguments (the TCP address for charts that would create their own Service on `port`). */
    readonly args?: readonly string[];
    /** Every declared container port (chart 0.19.1+); replaces the chart's own `dagger` port, so it is listed again. */
    readonly containerPorts?: readonly { readonly name: string; readonly containerPort: number; readonly protocol: "TCP" }[];
    /** Extra engine env (the Dagger Cloud token where the chart's `magicache` cannot carry it). */
    readonly env?: readonly EnvVar[];
    readonly hostPath?: { readonly dataVolume: { readonly enabled: boolean } };
    readonly statefulSet?: {
      readonly persistentVolumeClaim: {
        readonly enabled: boolean;
        readonly storageClassName?: string;
        readonly accessModes: readonly string[];
        readonly resources: { readonly requests: { readonly storage: string } };
      };
      readonly persistentVolumeClaimRetentionPolicy: {
        readonly whenDeleted: "Retain" | "Delete";
        readonly whenScaled: "Retain" | "Delete";
      };
    };
  };
}

/** Builds the Helm values of one engine: the typed keys, then `p.chartValues` merged over them. */
export function daggerChartValues(p: EngineValuesInput, version: string, o: EngineValuesExtras = {}): DaggerChartValues {
  const image = imageOverride(p.image, version);
  const statefulset = p.mode === "statefulset";
  const pullSecrets = p.imagePullSecrets ?? [];
  // Only engines before 0.18.17 read the cache service (engineReadsCacheService). The env works in
  // every chart, unlike the chart's `magicache` envFrom (broken in StatefulSets up to 0.20.3,
  // dagger/dagger issue 10065).
  const cloudViaEnv = o.magicacheSecret !== undefined && engineReadsCacheService(parseVersion(version));
  const metrics = p.metrics?.versions.includes(version) ? p.metrics : undefined;
  const env: EnvVar[] = [
    ...(cloudViaEnv
      ? [
          { name: MAGICACHE_URL_ENV, value: MAGICACHE_URL },
          { name: MAGICACHE_TOKEN_KEY, valueFrom: { secretKeyRef: { name: o.magicacheSecret!, key: MAGICACHE_TOKEN_KEY } } },
        ]
      : []),
    ...(metrics ? [{ name: ENGINE_METRICS_ADDR_ENV, value: `0.0.0.0:${metrics.port}` }] : []),
    ...(p.gpuSupport ? [{ name: GPU_SUPPORT_ENV, value: "true" }] : []),
  ];
  // The monitoring plan leaves out the versions whose chart would then add a Service of its own
  // beside a tcp engine's (0.21.0+).
  const containerPorts =
    metrics && (metrics.namedPortVersions ?? []).includes(version)
      ? [
          ...(o.port !== undefined ? [{ name: "dagger", containerPort: o.port, protocol: "TCP" as const }] : []),
          { name: METRICS_PORT_NAME, containerPort: metrics.port, protocol: "TCP" as const },
        ]
      : undefined;
  const typed: DaggerChartValues = {
    engine: {
      kind: statefulset ? "StatefulSet" : "DaemonSet",
      ...(image ? { image: { ref: image } } : {}),
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
      resources: p.resources ?? DEFAULT_ENGINE_RESOURCES,
      ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
      ...(p.nodeSelector && Object.keys(p.nodeSelector).length > 0 ? { nodeSelector: p.nodeSelector } : {}),
      ...(p.tolerations && p.tolerations.length > 0 ? { tolerations: p.tolerations } : {}),
      configJson: JSON.stringify(effectiveEngineConfig(p.mode, p.engineConfig), null, 2),
      // The TCP address: `engine.port` (the chart adds `--addr tcp://0.0.0.0:<port>` and keeps the
      // unix socket), or, where the chart would then create a Service of its own (0.21.0+), the
      // same two addresses through `engine.args`.
      ...(o.port === undefined
        ? {}
        : chartCreatesService(parseVersion(version))
          ? { args: ["--addr", `tcp://0.0.0.0:${o.port}`, "--addr", "unix:///run/dagger/engine.sock"] }
          : { port: o.port }),
      ...(containerPorts ? { containerPorts } : {}),
      ...(env.length > 0 ? { env } : {}),
      ...(statefulset
        ? {
            // The PVC is the volumeClaimTemplate `data`; the hostPath data volume is also
            // named `data`, so it must be off.
            hostPath: { dataVolume: { enabled: false } },
            statefulSet: {
              persistentVolumeClaim: {
                enabled: true,
                ...(p.cache?.storageClass ? { storageClassName: p.cache.storageClass } : {}),
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: p.cache?.size ?? DEFAULT_CACHE_SIZE } },
              },
              persistentVolumeClaimRetentionPolicy: {
                whenDeleted: p.cache?.retainOnDelete ? "Retain" : "Delete",
                whenScaled: "Retain",
              },
            },
          }
        : {}),
    },
  };
  return (p.chartValues ? mergePatch(typed, p.chartValues) : typed) as DaggerChartValues;
}
