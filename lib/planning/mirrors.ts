/**
 * Where every image and chart of the deployment comes from: the public upstream locations by
 * default, a private mirror with `mirrors.*`, and an image pinned in the config always as
 * written. Pure code (no cdktf): the stacks, the synth report and `npm run report -- --json` all
 * read the one {@link ArtifactPlan} built here, so the rewriting rule lives in one place.
 *
 * Upstream facts (charts at their release tags, ../shared/charts):
 * - dagger-helm 0.18.19-0.21.8 (`templates/engine-{daemonset,statefulset}.yaml`): the engine
 *   image is `engine.image.ref`, else `registry.dagger.io/engine:v<chart version>`; pods get
 *   `engine.imagePullSecrets`. No other image. A GPU engine (lib/planning/gpu-engines.ts) always
 *   sets `engine.image.ref` to the GPU variant `registry.dagger.io/engine:v<version>-gpu`
 *   (engines.ts `gpuEngineImage`), mirrored like the others.
 * - gha-runner-scale-set-controller 0.14.2 (`templates/deployment.yaml`): the controller image is
 *   `<image.repository>:<image.tag | default .Chart.AppVersion>` (appVersion equals the chart
 *   version in 0.13.1, 0.14.1 and 0.14.2); `imagePullSecrets` go on the controller pod and, as
 *   `--auto-scaler-image-pull-secrets`, on every listener pod. The listener runs the controller's
 *   own image: the chart passes it as `CONTROLLER_MANAGER_CONTAINER_IMAGE`, which the
 *   controller's `main.go` hands the AutoscalingRunnerSet reconciler as
 *   `DefaultRunnerScaleSetListenerImage` (actions/actions-runner-controller). So the controller
 *   image and its pull Secrets cover the listeners; `listenerTemplate` is not needed.
 * - gha-runner-scale-set 0.14.2: runner pods are our `template`; the chart's only image of its
 *   own is the `docker:dind` sidecar of `containerMode.type: dind`, which is never set here.
 */
import type { RunnersConfig } from "./input/schema";
import { DEFAULT_COPY_TOOL_IMAGE, DEFAULT_KUBECTL_IMAGE, DEFAULT_RUNNER_IMAGE } from "./input/runners";
import { RunnerRelease, runnerRelease } from "./runner-release";
import { ARC_CHART_REPOSITORY, ARC_CONTROLLER_CHART, ARC_SCALE_SET_CHART } from "./arc-values";
import { DAGGER_CHART, DAGGER_CHART_REPOSITORY, engineImage, gpuEngineImage, imageOverride } from "./engines";
import { PlanError } from "./errors";
import type { EngineTransport } from "../engine-spec";

/** The ARC controller chart's default `image.repository` (0.13-0.14 values.yaml). */
export const ARC_CONTROLLER_IMAGE_REPOSITORY = "ghcr.io/actions/gha-runner-scale-set-controller";

/** The registry Docker assumes for a reference without a registry host. */
const DOCKER_HUB = "docker.io";

/** An image reference split the way Docker normalizes it (distribution/reference). */
export interface ImageReference {
  /** Registry host, with its port if any: `docker.io`, `registry.k8s.io`, `localhost:5000`. */
  readonly registry: string;
  /** Repository path inside the registry: `library/busybox`, `actions/actions-runner`. */
  readonly repository: string;
  /** `:tag`, `@sha256:<digest>` or both; empty when the reference has neither. */
  readonly suffix: string;
}

/**
 * Splits an image reference. The first path component is the registry when it contains a `.`
 * or a `:` or is `localhost`; otherwise the registry is Docker Hub, where a one-component name is
 * an official image under `library/` (`busybox` = `docker.io/library/busybox`).
 */
export function parseImageReference(ref: string): ImageReference {
  const at = ref.indexOf("@");
  const digest = at >= 0 ? ref.slice(at) : "";
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  const name = hasTag ? named.slice(0, colon) : named;
  const suffix = (hasTag ? named.slice(colon) : "") + digest;
  const slash = name.indexOf("/");
  const head = slash >= 0 ? name.slice(0, slash) : "";
  const isHost = slash >= 0 && (head.includes(".") || head.includes(":") || head === "localhost");
  const registry = isHost ? (head === "index.docker.io" ? DOCKER_HUB : head) : DOCKER_HUB;
  const path = isHost ? name.slice(slash + 1) : name;
  return { registry, repository: registry === DOCKER_HUB && !path.includes("/") ? `library/${path}` : path, suffix };
}

/**
 * The mirrored location of an upstream image: the registry host is replaced by `registry`
 * (`host[:port][/path]`), the repository path and the tag or digest are kept:
 * `docker.io/library/busybox:1.37.0-musl` -> `<registry>/library/busybox:1.37.0-musl`,
 * `registry.dagger.io/engine:v0.20.3` -> `<registry>/engine:v0.20.3`. Without a registry the
 * reference is returned unchanged.
 */
export function mirrorImage(ref: string, registry: string | undefined): string {
  if (registry === undefined) return ref;
  const r = parseImageReference(ref);
  return `${registry}/${r.repository}${r.suffix}`;
}

/** The chart repository to install from: the mirror when given, else the upstream one. */
export function mirrorChartRepository(upstream: string, mirror: string | undefined): string {
  return mirror ?? upstream;
}

/** An image the deployment runs, once per location. */
export interface ImageArtifact {
  /** Where the cluster pulls it from. */
  readonly location: string;
  /** The public upstream image it stands for (equal to `location` when not mirrored). */
  readonly upstream: string;
  /** What chose the location: `default`, `mirrors.images.registry`, or the config key that pins it. */
  readonly source: string;
  /** The workloads that run it. */
  readonly usedBy: readonly string[];
}

/** A Helm chart the deployment installs (pulled where `cdktf deploy` runs). */
export interface ChartArtifact {
  readonly chart: string;
  readonly version: string;
  /** The OCI repository Helm pulls it from. */
  readonly repository: string;
  /** `<repository>/<chart>`. */
  readonly location: string;
  /** The public upstream `<repository>/<chart>`. */
  readonly upstream: string;
  /** `default`, `mirrors.charts.dagger` or `mirrors.charts.arc`. */
  readonly source: string;
  /** The releases that install it. */
  readonly usedBy: readonly string[];
}

/** Every image and chart of a deployment, and where each is pulled from. */
export interface ArtifactPlan {
  /** Image of each engine version, by version (engine pods; runner pods copy its `dagger` CLI). */
  readonly engineImages: Readonly<Record<string, string>>;
  /**
   * The engine images that differ from the chart's default (pinned or mirrored), by version: the
   * engine layer sets them as `engine.image.ref`. Empty by default.
   */
  readonly engineImageOverrides: Readonly<Record<string, string>>;
  /**
   * Image of each GPU engine, by version (GPU engine pods; the runner pods using them copy its
   * `dagger` CLI): the GPU variant, mirrored, or `cluster.nodePools.gpu.engineImage`. Always set
   * as the GPU releases' `engine.image.ref` (the chart's default is the non-GPU image). Empty
   * without GPU engines.
   */
  readonly gpuEngineImages: Readonly<Record<string, string>>;
  /** Runner container (and the `wait-for-engine` step). */
  readonly runnerImage: string;
  /** The runner version of {@link runnerImage} and its release date, when known (lib/planning/runner-release.ts). */
  readonly runnerRelease: RunnerRelease;
  /** `kubectl` copied into `kube-pod` runners. */
  readonly kubectlImage: string;
  /** Static BusyBox staged in runner pods. */
  readonly copyToolImage: string;
  /** The failed-pod cleanup CronJob's image. */
  readonly cleanupImage: string;
  /**
   * The ARC controller image, which the controller also runs as every listener. `setInValues`:
   * the controller chart gets it as `image.{repository,tag}` (only when mirrored; otherwise the
   * chart's default or `arc.controllerValues.image` renders it).
   */
  readonly controllerImage: { readonly repository: string; readonly tag: string; readonly setInValues: boolean };
  /** OCI repositories the charts are installed from. */
  readonly chartRepositories: { readonly dagger: string; readonly arc: string };
  /** `mirrors.images.pullSecrets`: on every pod the deployment runs. */
  readonly pullSecrets: readonly string[];
  /** Engine pods' pull Secrets: `dagger.engine.imagePullSecrets`, then `mirrors.images.pullSecrets`. */
  readonly enginePullSecrets: readonly string[];
  /** Namespaces each of {@link pullSecrets} must exist in: engines, controller, runners (empty without pull Secrets). */
  readonly pullSecretNamespaces: readonly string[];
  /** Every image the cluster pulls, once per location. */
  readonly images: readonly ImageArtifact[];
  /** Every chart Helm installs, once per location and version. */
  readonly charts: readonly ChartArtifact[];
  /** Pinned images outside the mirror, one line each (only with `mirrors.images.registry`). */
  readonly warnings: readonly string[];
}

interface Chosen {
  readonly image: string;
  readonly upstream: string;
  readonly source: string;
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** A string at `obj.key`, when `obj` is a map. */
function stringAt(obj: unknown, key: string): string | undefined {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return typeof v === "string" ? v : undefined;
}

/**
 * The images and charts of a validated config: `versions` are the planned engine versions,
 * `scaleSets` the number of planned scale sets, `transport` the resolved engine transport.
 */
export function planArtifacts(
  config: RunnersConfig,
  versions: readonly string[],
  scaleSets: number,
  transport: EngineTransport,
  /** The cluster has GPU engines (`cluster.nodePools.gpu.engines`). @default false */
  gpuEngines = false,
): ArtifactPlan {
  const registry = config.mirrors.images.registry;
  const choose = (explicit: string | undefined, key: string, upstream: string): Chosen =>
    explicit !== undefined
      ? { image: explicit, upstream, source: key }
      : { image: mirrorImage(upstream, registry), upstream, source: registry !== undefined ? "mirrors.images.registry" : "default" };

  const e = config.dagger.engine;
  const r = config.runners;
  const engines = versions.map((v) => ({ version: v, ...choose(imageOverride(e.image, v), "dagger.engine.image", engineImage(v)) }));
  const gpuImage = gpuEngines && config.target === "gke" ? config.cluster.nodePools.gpu?.engineImage : undefined;
  checkGpuEngineImage(gpuImage, versions);
  const gpus = gpuEngines
    ? versions.map((v) => ({ version: v, ...choose(imageOverride(gpuImage, v), "cluster.nodePools.gpu.engineImage", gpuEngineImage(v)) }))
    : [];
  const runner = choose(r.image, "runners.image", DEFAULT_RUNNER_IMAGE);
  const kubectl = choose(r.kubectlImage, "runners.kubectlImage", DEFAULT_KUBECTL_IMAGE);
  const copyTool = choose(r.copyToolImage, "runners.copyToolImage", DEFAULT_COPY_TOOL_IMAGE);
  const cleanup: Chosen = r.cleanup.image !== undefined ? { image: r.cleanup.image, upstream: DEFAULT_KUBECTL_IMAGE, source: "runners.cleanup.image" } : kubectl;

  // The controller: `arc.controllerValues.image` is merged over the typed values, so it wins.
  const pinned = (config.arc.controllerValues as Record<string, unknown>).image;
  const pinnedRepository = stringAt(pinned, "repository");
  const pinnedTag = stringAt(pinned, "tag");
  const controllerUpstream = `${ARC_CONTROLLER_IMAGE_REPOSITORY}:${config.arc.version}`;
  const controllerRepository = pinnedRepository ?? mirrorImage(ARC_CONTROLLER_IMAGE_REPOSITORY, registry);
  const controllerTag = pinnedTag ?? config.arc.version;
  const controller: Chosen = {
    image: `${controllerRepository}:${controllerTag}`,
    upstream: controllerUpstream,
    source: pinnedRepository !== undefined || pinnedTag !== undefined ? "arc.controllerValues.image" : registry !== undefined ? "mirrors.images.registry" : "default",
  };

  // Images, once per location, in the order a reader meets them.
  const images: { location: string; upstream: string; source: string; usedBy: string[] }[] = [];
  const use = (c: Chosen, who: string) => {
    const seen = images.find((i) => i.location === c.image);
    if (seen) seen.usedBy.push(who);
    else images.push({ location: c.image, upstream: c.upstream, source: c.source, usedBy: [who] });
  };
  for (const x of engines) use(x, `engine ${x.version} pods, runner pods (dagger CLI)`);
  for (const x of gpus) use(x, `GPU engine ${x.version} pods, its runner pods (dagger CLI)`);
  use(runner, "runner pods");
  use(copyTool, "runner pods (copy tool)");
  if (transport === "kube-pod") use(kubectl, "runner pods (kubectl)");
  if (r.cleanup.enabled) use(cleanup, "cleanup CronJob");
  if (r.schedules.length > 0) use(kubectl, "warm-runner schedule CronJobs");
  use(controller, "ARC controller and listeners");

  // Charts, once per location and version.
  const daggerRepo = mirrorChartRepository(DAGGER_CHART_REPOSITORY, config.mirrors.charts.dagger);
  const arcRepo = mirrorChartRepository(ARC_CHART_REPOSITORY, config.mirrors.charts.arc);
  const daggerSource = config.mirrors.charts.dagger !== undefined ? "mirrors.charts.dagger" : "default";
  const arcSource = config.mirrors.charts.arc !== undefined ? "mirrors.charts.arc" : "default";
  const charts: ChartArtifact[] = [];
  const chart = (repository: string, upstreamRepository: string, name: string, version: string, source: string, who: string) => {
    const location = `${repository}/${name}`;
    const seen = charts.find((c) => c.location === location && c.version === version);
    if (seen) (seen.usedBy as string[]).push(who);
    else charts.push({ chart: name, version, repository, location, upstream: `${upstreamRepository}/${name}`, source, usedBy: [who] });
  };
  for (const v of versions) chart(daggerRepo, DAGGER_CHART_REPOSITORY, DAGGER_CHART, v, daggerSource, `engine ${v}`);
  for (const x of gpus) chart(daggerRepo, DAGGER_CHART_REPOSITORY, DAGGER_CHART, x.version, daggerSource, `GPU engine ${x.version}`);
  chart(arcRepo, ARC_CHART_REPOSITORY, ARC_CONTROLLER_CHART, config.arc.version, arcSource, "ARC controller");
  chart(arcRepo, ARC_CHART_REPOSITORY, ARC_SCALE_SET_CHART, config.arc.scaleSetVersion ?? config.arc.version, arcSource, `${scaleSets} scale set${scaleSets === 1 ? "" : "s"}`);

  // A pinned image outside the mirror is used as written: say so, the cluster may not reach it.
  const warnings: string[] = [];
  if (registry !== undefined) {
    for (const c of [...engines, ...gpus, runner, copyTool, kubectl, cleanup, controller]) {
      const used = images.some((i) => i.location === c.image);
      if (!used || c.source === "mirrors.images.registry" || c.image.startsWith(`${registry}/`)) continue;
      warnings.push(
        `${c.source}: ${JSON.stringify(c.image)} is pinned explicitly and used as written, outside mirrors.images.registry (${registry}): make sure the cluster can pull it`,
      );
    }
  }

  // A pinned engine image says nothing of the GPU variant: say which image the GPU engines pull.
  if (gpus.length > 0 && e.image !== undefined && gpuImage === undefined) {
    warnings.push(
      `cluster.nodePools.gpu.engineImage is not set while dagger.engine.image pins the engine images: the GPU engines pull ${gpus.map((x) => x.image).join(", ")} (set cluster.nodePools.gpu.engineImage to pin them too)`,
    );
  }

  const pullSecrets = [...config.mirrors.images.pullSecrets];
  const enginePullSecrets = unique([...e.imagePullSecrets, ...pullSecrets]);
  return {
    engineImages: Object.fromEntries(engines.map((x) => [x.version, x.image])),
    engineImageOverrides: Object.fromEntries(engines.filter((x) => x.source !== "default").map((x) => [x.version, x.image])),
    gpuEngineImages: Object.fromEntries(gpus.map((x) => [x.version, x.image])),
    runnerImage: runner.image,
    runnerRelease: runnerRelease(runner.image),
    kubectlImage: kubectl.image,
    copyToolImage: copyTool.image,
    cleanupImage: cleanup.image,
    controllerImage: { repository: controllerRepository, tag: controllerTag, setInValues: registry !== undefined },
    chartRepositories: { dagger: daggerRepo, arc: arcRepo },
    pullSecrets,
    enginePullSecrets,
    pullSecretNamespaces: pullSecrets.length > 0 ? unique([e.namespace, config.arc.namespace, r.namespace]) : [],
    images,
    charts,
    warnings: unique(warnings),
  };
}

/**
 * `cluster.nodePools.gpu.engineImage`, as `dagger.engine.image` is checked: one string for
 * several versions needs `{version}`, a map names configured versions only.
 */
function checkGpuEngineImage(image: string | Readonly<Record<string, string>> | undefined, versions: readonly string[]): void {
  const path = "cluster.nodePools.gpu.engineImage";
  if (typeof image === "string" && !image.includes("{version}") && versions.length > 1) {
    throw new PlanError(path, image, `is one image for ${versions.length} engine versions (put {version} in it, or map each version to its image)`);
  }
  if (image !== undefined && typeof image === "object") {
    for (const key of Object.keys(image)) {
      if (!versions.includes(key.replace(/^v/, ""))) {
        throw new PlanError(`${path}.${key}`, image[key], `is the image of a version that is not in dagger.versions (${versions.join(", ")})`);
      }
    }
  }
}
