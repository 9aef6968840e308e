/**
 * Engine naming: one Dagger Helm release per engine version. Pure code.
 */
import type { EngineConnectionSpec, EngineTransport } from "../engine-spec";
import type { Toleration } from "./k8s-types";
import { PlanError } from "./errors";
import { EngineVersion, compareVersions, parseVersion } from "./versions";
import { HELM_RELEASE_MAX, K8S_NAME_MAX, STATEFULSET_NAME_MAX, daggerChartFullname, engineResourceId, isDns1123Label } from "./names";

export type EngineMode = "daemonset" | "statefulset";

export interface EngineNames {
  readonly version: string;
  /** Helm release name, e.g. `dagger-runners-v0-20-3`. */
  readonly releaseName: string;
  /** The chart's `dagger.fullname`, e.g. `dagger-runners-v0-20-3-dagger-helm`. */
  readonly fullname: string;
  /** DaemonSet/StatefulSet name: `<fullname>-engine`; pods carry the label `name: <this>`. */
  readonly workloadName: string;
  /** StatefulSet mode only: the single pod `<fullname>-engine-0`. */
  readonly podName?: string;
  /** A GPU engine (release `<name>-v<version>-gpu`, on the gpu pool). @default false */
  readonly gpu?: boolean;
}

/** Suffix of a GPU engine's release name and of its image tag (`engine:v<version>-gpu`). */
export const GPU_SUFFIX = "-gpu";

/** Construct id of an engine's resources: `v0-20-3`, a GPU engine's `v0-20-3-gpu`. */
export function engineId(e: Pick<EngineNames, "version" | "gpu">): string {
  return `${engineResourceId(e.version)}${e.gpu ? GPU_SUFFIX : ""}`;
}

/** Release name of the engine for `version` in deployment `name`. */
export function engineReleaseName(name: string, v: EngineVersion): string {
  // A pre-release keeps its identifiers: 1.0.0-beta.10 -> <name>-v1-0-0-beta-10.
  const pre = v.prerelease ? `-${v.prerelease.replace(/\./g, "-").toLowerCase()}` : "";
  return `${name}-v${v.major}-${v.minor}-${v.patch}${pre}`;
}

/** Names of every engine, checked against Helm and Kubernetes limits. */
export function planEngineNames(
  name: string,
  versions: readonly EngineVersion[],
  mode: EngineMode,
  paths: { name?: string } = {},
  options: { gpu?: boolean } = {},
): EngineNames[] {
  const namePath = paths.name ?? "name";
  const seen = new Map<string, string>();
  return versions.map((v) => {
    const releaseName = `${engineReleaseName(name, v)}${options.gpu ? GPU_SUFFIX : ""}`;
    const other = seen.get(releaseName);
    if (other) throw new PlanError("dagger.versions", v.text, `makes engine release "${releaseName}", the same as ${other} (pre-release identifiers differing only in case, "." or "-")`);
    seen.set(releaseName, v.text);
    const fullname = daggerChartFullname(releaseName);
    const workloadName = `${fullname}-engine`;
    const max = mode === "statefulset" ? STATEFULSET_NAME_MAX : K8S_NAME_MAX;
    if (releaseName.length > HELM_RELEASE_MAX) {
      throw new PlanError(namePath, name, `makes engine release "${releaseName}" ${releaseName.length} characters long (Helm allows ${HELM_RELEASE_MAX}); use a shorter name`);
    }
    if (!isDns1123Label(workloadName, max)) {
      throw new PlanError(namePath, name, `makes engine ${mode} name "${workloadName}" ${workloadName.length} characters long (at most ${max}); use a shorter name`);
    }
    return {
      version: v.text,
      releaseName,
      fullname,
      workloadName,
      podName: mode === "statefulset" ? `${workloadName}-0` : undefined,
      ...(options.gpu ? { gpu: true } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Connection specs (issue 3): how a client reaches each engine. Verified against the chart
// `oci://registry.dagger.io/dagger-helm` (dagger/dagger helm/dagger/, charts 0.17-0.20.x).
// ---------------------------------------------------------------------------------------------

/** Oldest engine/chart version supported: `engine.configJson`, `engine.port`, the StatefulSet
 * PVC and `engine.hostPath.dataVolume.enabled` arrived in chart 0.17.0 (helm/dagger/CHANGELOG.md). */
export const MIN_ENGINE_VERSION = "0.17.0";

/** Chart repository and name: `oci://registry.dagger.io/dagger-helm`, chart version = engine version. */
export const DAGGER_CHART_REPOSITORY = "oci://registry.dagger.io";
export const DAGGER_CHART = "dagger-helm";

/** Default engine image repository; the chart's default image is `registry.dagger.io/engine:v<chart version>`. */
export const ENGINE_IMAGE_REPOSITORY = "registry.dagger.io/engine";

/**
 * The `dagger` CLI inside the engine image. dagger/dagger's shim bind-mounts
 * `/usr/local/bin/dagger` from the engine into nested containers, and its integration tests
 * take `.File("/usr/local/bin/dagger")` from released engine images; the engine binary itself
 * is `/usr/local/bin/dagger-engine` (toolchains/engine-dev/consts). The chart's readiness probe
 * runs `dagger core version` from `PATH`.
 */
export const ENGINE_CLI_PATH = "/usr/local/bin/dagger";

/** The chart's engine container name (templates/engine-daemonset.yaml, engine-statefulset.yaml). */
export const ENGINE_CONTAINER_NAME = "dagger-engine";

/** Where a `unix` client mounts the node's socket directory: the CLI's default socket dir. */
export const SOCKET_MOUNT_PATH = "/run/dagger";

/** Default `dagger.engine.port` for the `tcp` transport. */
export const DEFAULT_ENGINE_PORT = 1234;

/** Default ServiceAccount (in the client namespace) the `kube-pod` RBAC is bound to. */
export const DEFAULT_CLIENT_SERVICE_ACCOUNT = "dagger-runner";

/** Default Secret (in the client namespace) holding `DAGGER_CLOUD_TOKEN`. */
export const DEFAULT_CLIENT_CLOUD_SECRET = "dagger-cloud-token";

/** Label a `tcp` client pod carries (value: the engine's release name) for the NetworkPolicy. */
export const CLIENT_POD_LABEL = "dagger-runners/engine";

/** The engine's Dagger Cloud cache token variable (engines before 0.18.17), also the key of the engines' Secret. */
export const MAGICACHE_TOKEN_KEY = "_EXPERIMENTAL_DAGGER_CACHESERVICE_TOKEN";

/** Key of the client's Dagger Cloud token Secret, read as the env var of the same name. */
export const CLIENT_CLOUD_TOKEN_KEY = "DAGGER_CLOUD_TOKEN";

/** The chart's default `magicache.url` (helm/dagger/values.yaml, charts 0.17-0.20.x). */
export const MAGICACHE_URL = "https://api.dagger.cloud/magicache";

/** Env var engines before 0.18.17 read the Magicache URL from. */
export const MAGICACHE_URL_ENV = "_EXPERIMENTAL_DAGGER_CACHESERVICE_URL";

/**
 * First engine that no longer reads `_EXPERIMENTAL_DAGGER_CACHESERVICE_URL`/`_TOKEN`: dagger PR
 * #10886 (commit 9d4a4425b6) removed them from `engine/server/server.go` in v0.18.17 (they are
 * read there at v0.18.16; at v0.18.17 and v0.20.3 only `engine/client/buildkit.go` still declares
 * the token name, unused). Engine-side Dagger Cloud caching ("Magicache") does nothing from then on.
 */
export const CACHE_SERVICE_REMOVED = "0.18.17";

/** Whether engine `v` reads the Dagger Cloud cache-service variables (before {@link CACHE_SERVICE_REMOVED}). */
export function engineReadsCacheService(v: EngineVersion): boolean {
  return compareVersions(v, parseVersion(CACHE_SERVICE_REMOVED)) < 0;
}

/**
 * First chart that creates its own Service `<fullname>` whenever `engine.port` is set
 * (dagger/dagger `helm/dagger/templates/service.yaml`, new in v0.21.0, dagger PR #11993; absent
 * at v0.20.4). From it, the engine's TCP address goes through `engine.args` instead, so the
 * engine has exactly one Service: ours (NetworkPolicy, node-local traffic for DaemonSets).
 */
export const CHART_OWN_SERVICE = "0.21.0";

/** Whether the chart of engine `v` creates its own Service when `engine.port` is set. */
export function chartCreatesService(v: EngineVersion): boolean {
  return compareVersions(v, parseVersion(CHART_OWN_SERVICE)) >= 0;
}

/** `unix` for DaemonSets (node-local socket), `kube-pod` for the StatefulSet (one named pod). */
export function defaultTransport(mode: EngineMode): EngineTransport {
  return mode === "daemonset" ? "unix" : "kube-pod";
}

/**
 * The node directory holding the engine socket for a DaemonSet release: the chart's run volume
 * `hostPath` `/run/dagger-<fullname>`, mounted at `/run/dagger` in the engine: so in every chart
 * from v0.17.0 (the oldest supported) to v0.21.8 (`helm/dagger/templates/engine-daemonset.yaml`
 * read at each of v0.17.0, v0.17.2, v0.18.0-v0.18.19, and ../shared/charts). Charts up to v0.16.x
 * used a shared `/var/run/dagger`, not per release.
 */
export function hostSocketDir(fullname: string): string {
  return `/run/dagger-${fullname}`;
}

/** `unix://<mount>/engine.sock`. */
export function unixRunnerHost(mountPath = SOCKET_MOUNT_PATH): string {
  return `unix://${mountPath}/engine.sock`;
}

/** `kube-pod://<pod>?namespace=<ns>` (names must match `^[-a-z0-9.]+$`). */
export function kubePodRunnerHost(pod: string, namespace: string): string {
  return `kube-pod://${pod}?namespace=${namespace}`;
}

/** `tcp://<service>.<ns>.svc.cluster.local:<port>`. */
export function tcpRunnerHost(service: string, namespace: string, port: number): string {
  return `tcp://${service}.${namespace}.svc.cluster.local:${port}`;
}

/**
 * Our own Service for the `tcp` transport: `<release>-tcp`. Newer charts render their own
 * Service named `<fullname>` when a port is set (dagger/dagger PR 11993); the suffix keeps ours
 * distinct from it.
 */
export function engineServiceName(releaseName: string): string {
  return `${releaseName}-tcp`;
}

/** Engine image: the override, else `registry.dagger.io/engine:v<version>`. */
export function engineImage(version: string, override?: string): string {
  return override ?? `${ENGINE_IMAGE_REPOSITORY}:v${version}`;
}

/**
 * The GPU variant of the engine image: `registry.dagger.io/engine:v<version>-gpu`. dagger/dagger
 * at v0.20.3 publishes two targets per release tag (`toolchains/engine-dev/main.go` `targets`:
 * tag `%s` for linux/amd64 and arm64, and `%s-gpu`, linux/amd64 only, built `WithGPUSupport`,
 * which adds Wolfi's `nvidia-driver` and `nvidia-tools` packages in `build/builder.go`); the CLI
 * picks the same tag itself for a local engine when `_EXPERIMENTAL_DAGGER_GPU_SUPPORT` is set
 * (`cmd/dagger/engine.go` `defaultRunnerHost`: `tag += "-gpu"`), and the docs run
 * `registry.dagger.io/engine:${VERSION}-gpu` (docs/current_docs/reference/configuration/custom-runner.mdx).
 * The `dagger` CLI is in it as in the default image (`Container` adds `/usr/local/bin/dagger` to both).
 */
export function gpuEngineImage(version: string): string {
  return `${ENGINE_IMAGE_REPOSITORY}:v${version}${GPU_SUFFIX}`;
}

/**
 * The variable that lets the engine run GPU containers: without it, an exec with GPUs fails
 * with "GPU support is not enabled, set _EXPERIMENTAL_DAGGER_GPU_SUPPORT" (dagger/dagger
 * `core/container_exec.go` at v0.20.3; any non-empty value).
 */
export const GPU_SUPPORT_ENV = "_EXPERIMENTAL_DAGGER_GPU_SUPPORT";

/** The extended resource of NVIDIA GPUs (the device plugin GKE runs on GPU nodes). */
export const GPU_RESOURCE = "nvidia.com/gpu";

/**
 * Resolves `dagger.engine.image` for one version: a map is looked up by version (with or
 * without a leading `v`), a string has `{version}` replaced.
 */
export function imageOverride(image: string | Readonly<Record<string, string>> | undefined, version: string): string | undefined {
  if (image === undefined) return undefined;
  if (typeof image === "string") return image.replace(/\{version\}/g, version);
  return image[version] ?? image[`v${version}`];
}

export interface EngineSpecOptions {
  readonly mode: EngineMode;
  readonly transport: EngineTransport;
  /** Engines namespace. */
  readonly namespace: string;
  /** `tcp` only. @default DEFAULT_ENGINE_PORT */
  readonly port?: number;
  /** Per-version image override (already resolved). @default none */
  readonly image?: string;
  /** @default DEFAULT_CLIENT_SERVICE_ACCOUNT */
  readonly serviceAccountName?: string;
  /** Dagger Cloud: the Secret in the client namespace. @default none */
  readonly cloudTokenSecret?: { readonly name: string; readonly key: string };
  /** @default none */
  readonly imagePullSecrets?: readonly string[];
  /** Engine nodeSelector (reported for node-local engines). @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Engine tolerations (reported for node-local engines). @default none */
  readonly tolerations?: readonly Toleration[];
}

/** The connection spec of one engine. */
export function planEngineSpec(names: EngineNames, o: EngineSpecOptions): EngineConnectionSpec {
  const nodeLocal = o.transport === "unix" || (o.transport === "tcp" && o.mode === "daemonset");
  const base = {
    version: names.version,
    transport: o.transport,
    image: engineImage(names.version, o.image),
    cliPath: ENGINE_CLI_PATH,
    namespace: o.namespace,
    releaseName: names.releaseName,
    waitForEngine: nodeLocal,
    ...(o.cloudTokenSecret ? { cloudTokenSecret: o.cloudTokenSecret } : {}),
    ...(o.imagePullSecrets && o.imagePullSecrets.length > 0 ? { imagePullSecrets: o.imagePullSecrets } : {}),
    ...(nodeLocal && o.nodeSelector && Object.keys(o.nodeSelector).length > 0 ? { nodeSelector: o.nodeSelector } : {}),
    ...(nodeLocal && o.tolerations && o.tolerations.length > 0 ? { tolerations: o.tolerations } : {}),
  };
  switch (o.transport) {
    case "unix":
      return {
        ...base,
        runnerHost: unixRunnerHost(SOCKET_MOUNT_PATH),
        hostSocketDir: hostSocketDir(names.fullname),
        socketMountPath: SOCKET_MOUNT_PATH,
      };
    case "kube-pod":
      if (!names.podName) throw new Error(`kube-pod needs a StatefulSet pod name (engine ${names.version})`);
      return {
        ...base,
        runnerHost: kubePodRunnerHost(names.podName, o.namespace),
        serviceAccountName: o.serviceAccountName ?? DEFAULT_CLIENT_SERVICE_ACCOUNT,
      };
    case "tcp": {
      const port = o.port ?? DEFAULT_ENGINE_PORT;
      const serviceName = engineServiceName(names.releaseName);
      return {
        ...base,
        runnerHost: tcpRunnerHost(serviceName, o.namespace, port),
        clientPodLabels: { [CLIENT_POD_LABEL]: names.releaseName },
        serviceName,
        port,
      };
    }
  }
}

/** Inputs of {@link engineWarnings}. */
export interface EngineWarningInput {
  readonly mode: EngineMode;
  readonly transport: EngineTransport;
  readonly port?: number;
  readonly cache?: { readonly storageClass?: string };
  readonly vpa?: { readonly enabled?: boolean; readonly updateMode?: string };
  /** Disk types of the node pools engines may run on (e.g. `pd-standard`). @default [] */
  readonly nodeDiskTypes?: readonly { readonly path: string; readonly diskType: string }[];
  /** @default "dagger.engine" */
  readonly configPath?: string;
  /** True when NetworkPolicy enforcement is unknown (existing clusters). @default false */
  readonly networkPolicyUnknown?: boolean;
  /** Dagger Cloud is enabled. @default false */
  readonly cloud?: boolean;
  /** The engine versions (for what Dagger Cloud does on each). @default [] */
  readonly versions?: readonly string[];
}

/** Risky but valid choices, one line each naming the config key. Pure. */
export function engineWarnings(i: EngineWarningInput): string[] {
  const prefix = i.configPath ?? "dagger.engine";
  const key = (field: string) => (prefix === "" ? field : `${prefix}.${field}`);
  const out: string[] = [];
  if (i.port !== undefined && i.transport !== "tcp") {
    out.push(
      `${key("port")}: ${i.port} makes every engine listen on unauthenticated TCP while transport is "${i.transport}": no Service or NetworkPolicy guards it, so any pod that can reach the engine pod's IP drives a privileged engine`,
    );
  }
  if (i.transport === "tcp" && i.networkPolicyUnknown) {
    out.push(
      `${key("transport")}: "tcp" has no authentication; only the NetworkPolicy keeps other pods out, so make sure the cluster enforces NetworkPolicy`,
    );
  }
  if (i.mode === "statefulset" && i.cache?.storageClass === "standard") {
    out.push(
      `${key("cache.storageClass")}: "standard" is a standard persistent disk (HDD) on GKE; a build cache is random-I/O heavy, prefer "standard-rwo" (balanced) or "premium-rwo" (SSD)`,
    );
  }
  if (i.mode === "daemonset") {
    for (const d of i.nodeDiskTypes ?? []) {
      if (d.diskType === "pd-standard") {
        out.push(`${d.path}.diskType: "pd-standard" (HDD) holds the daemonset engines' cache on the node's boot disk; builds will be I/O bound, prefer pd-balanced or pd-ssd`);
      }
    }
  }
  const noCache = (i.versions ?? []).filter((v) => !engineReadsCacheService(parseVersion(v)));
  if (i.cloud && noCache.length > 0) {
    out.push(
      `${key("cloud.enabled")}: engine-side Dagger Cloud caching (Magicache) does not exist in engine ${noCache.join(", ")} (the engine stopped reading it in ${CACHE_SERVICE_REMOVED}, dagger PR #10886): only the runners' DAGGER_CLOUD_TOKEN is set, for traces in Dagger Cloud`,
    );
  }
  if (i.vpa?.enabled && (i.vpa.updateMode === "Recreate" || i.vpa.updateMode === "InPlaceOrRecreate")) {
    out.push(
      `${key("vpa.updateMode")}: "${i.vpa.updateMode}" lets the VPA restart an engine to resize it, failing every build running on it; "Off" or "Initial" never evicts`,
    );
  }
  return out;
}

/** Disk types of the node pools of a config (`cluster.nodePools`). */
export function nodeDiskTypes(nodePools: Readonly<Record<string, { readonly diskType: string } | undefined>>): { path: string; diskType: string }[] {
  return Object.entries(nodePools)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ path: `cluster.nodePools.${k}`, diskType: v!.diskType }));
}


/** The annotation that maps a Kubernetes ServiceAccount to a Google service account (GKE Workload Identity). */
export const GKE_SA_ANNOTATION = "iam.gke.io/gcp-service-account";

/**
 * The engine pods run as the `default` ServiceAccount of the engines namespace: the Dagger chart
 * creates none (`engine.newServiceAccount.create: false`) and names none
 * (`engine.existingServiceAccount` empty; `templates/_helpers.tpl` `dagger.serviceAccountName`,
 * dagger-helm 0.19.11 to 1.0.0-beta.10), and nothing here annotates or grants it. Every Dagger
 * function's traffic leaves through the engine pod, so what that ServiceAccount may do on the
 * metadata server, every job's code may do. A warning when `dagger.engine.chartValues` changes it.
 */
export function engineIdentityWarnings(chartValues: Readonly<Record<string, unknown>> | undefined): string[] {
  const engine = (chartValues?.engine ?? {}) as { newServiceAccount?: { create?: unknown; annotations?: unknown }; existingServiceAccount?: { name?: unknown } };
  const out: string[] = [];
  const annotations = engine.newServiceAccount?.annotations;
  const gsa = annotations && typeof annotations === "object" && !Array.isArray(annotations) ? (annotations as Record<string, unknown>)[GKE_SA_ANNOTATION] : undefined;
  const why = "the engine runs every job's Dagger functions, so each of them can use that identity through the metadata server; give pipelines cloud access through OIDC or Secrets passed to functions instead (docs/engines.md)";
  if (engine.newServiceAccount?.create === true && gsa !== undefined) {
    out.push(`dagger.engine.chartValues.engine.newServiceAccount.annotations: maps the engines' ServiceAccount to Google service account ${JSON.stringify(gsa)}: ${why}`);
  }
  const existing = engine.existingServiceAccount?.name;
  if (engine.newServiceAccount?.create !== true && existing !== undefined && existing !== "default") {
    out.push(`dagger.engine.chartValues.engine.existingServiceAccount.name: the engines run as ServiceAccount ${JSON.stringify(existing)}: whatever cloud identity it has, ${why}`);
  }
  return out;
}
