/**
 * Metrics: which endpoints are served (ARC controller, ARC listeners, Dagger engines) and the
 * scrape targets of the chosen collector, each selecting pods by the labels the charts and ARC
 * really give them and a port by the name they really declare. Pure code (no cdktf).
 *
 * Pod labels and port names (checked by `npm run verify` against the rendered charts, and by
 * test/monitoring.test.ts):
 * - ARC controller (gha-runner-scale-set-controller 0.14.2 `templates/deployment.yaml`): pod
 *   labels `app.kubernetes.io/part-of: gha-rs-controller`, `app.kubernetes.io/component:
 *   controller-manager`; container port `metrics` from `metrics.controllerManagerAddr`.
 * - Listeners (created by the controller, actions-runner-controller 0.14.2
 *   `controllers/actions.github.com/resourcebuilder.go` `newAutoScalingListener`,
 *   `newScaleSetListenerPod`, `listenerMetricsServerConfig.containerPort`): in the controller's
 *   namespace, labels `app.kubernetes.io/part-of: gha-runner-scale-set`,
 *   `app.kubernetes.io/component: runner-scale-set-listener`, `actions.github.com/scale-set-name`;
 *   port `metrics` from the controller's `--listener-metrics-addr`.
 * - Engines (dagger-helm `templates/engine-{daemonset,statefulset}.yaml`): pod label
 *   `name: <fullname>-engine`, `app.kubernetes.io/version: v<version>`; `engine.containerPorts`
 *   (chart 0.19.1 and newer) declares the port `metrics`; older charts cannot, so their
 *   targets name the port number.
 */
import type { RunnersConfig } from "./input/schema";
import type { MonitoringCollector } from "./monitoring-collector";
import { EngineNames, chartCreatesService } from "./engines";
import { PlanError } from "./errors";
import { compareVersions, parseVersion } from "./versions";
import { ENGINE_METRICS_MIN_VERSION, engineServesMetrics } from "./metric-names";

/** Port of the engines' metrics endpoint (`_EXPERIMENTAL_DAGGER_METRICS_ADDR=0.0.0.0:<port>`). */
export const ENGINE_METRICS_PORT = 9090;
/** The engine env var read by `cmd/engine/main.go` (dagger/dagger, from v0.18.11). */
export const ENGINE_METRICS_ADDR_ENV = "_EXPERIMENTAL_DAGGER_METRICS_ADDR";
/** First dagger-helm chart with `engine.containerPorts` (templates/engine-*.yaml at v0.19.1). */
export const ENGINE_CHART_CONTAINER_PORTS_MIN = "0.19.1";
/** ARC's metrics address of the controller and every listener (`metrics.*Addr`), and the port name both declare. */
export const ARC_METRICS_PORT = 8080;
export const METRICS_PORT_NAME = "metrics";
export const METRICS_PATH = "/metrics";
/** Target label carrying the scale set (from the listener pod's `actions.github.com/scale-set-name`). */
export const SCALE_SET_TARGET_LABEL = "scale_set";
/** Target label carrying the engine version (from the engine pod's `app.kubernetes.io/version`). */
export const ENGINE_VERSION_TARGET_LABEL = "engine_version";
export const DEFAULT_SCRAPE_INTERVAL = "30s";

/** One scrape target: pods of one namespace matching `selector`, scraped on `port`. */
export interface ScrapeTarget {
  /** Name of the scrape object (PodMonitoring / PodMonitor). */
  readonly name: string;
  readonly namespace: string;
  /** What it scrapes, for messages. */
  readonly what: "arc-controller" | "arc-listener" | "dagger-engine";
  /** The engine version (engine targets). */
  readonly version?: string;
  readonly selector: Readonly<Record<string, string>>;
  /** A declared container port name, or a number where the chart cannot declare one. */
  readonly port: string | number;
  readonly path: string;
  /** Pod label -> target label added to every series. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** The scale-set chart's `listenerMetrics` (AutoscalingRunnerSet `spec.listenerMetrics`). */
export interface ListenerMetricsValues {
  readonly counters: Record<string, { labels: string[] }>;
  readonly gauges: Record<string, { labels: string[] }>;
  readonly histograms: Record<string, { labels: string[] }>;
}

export interface MonitoringPlan {
  readonly collector: MonitoringCollector;
  readonly interval: string;
  /** Labels of every scrape object. */
  readonly labels: Readonly<Record<string, string>>;
  /** ARC controller and listener metrics (`arc.metrics`). */
  readonly arcMetrics: boolean;
  /** Engine metrics, when on: the address and the versions that serve it. */
  readonly engineMetrics?: {
    readonly port: number;
    readonly addr: string;
    /** Versions reading the env var (others are not scraped). */
    readonly versions: readonly string[];
    /** Versions whose chart can declare the named port (`engine.containerPorts`). */
    readonly namedPortVersions: readonly string[];
  };
  /** The scale sets' `listenerMetrics` (set with `arc.metrics`). */
  readonly listenerMetrics?: ListenerMetricsValues;
  /** What the collector scrapes (empty with collector `none`). */
  readonly targets: readonly ScrapeTarget[];
  readonly warnings: readonly string[];
}

const GAUGE_LABELS = ["name", "namespace"];
/**
 * The listener's metrics with fewer labels than ARC's defaults (`defaultMetrics` in
 * cmd/ghalistener/metrics/metrics.go adds `job_name`, one series per workflow job name): the
 * gauges per scale set, the job counters and histograms per repository, event and result.
 * The histograms keep ARC's default buckets (up to 3600 s).
 */
export const LISTENER_METRICS: ListenerMetricsValues = {
  counters: {
    gha_started_jobs_total: { labels: ["repository", "event_name"] },
    gha_completed_jobs_total: { labels: ["repository", "event_name", "job_result"] },
  },
  gauges: Object.fromEntries(
    ["gha_assigned_jobs", "gha_running_jobs", "gha_registered_runners", "gha_busy_runners", "gha_min_runners", "gha_max_runners", "gha_desired_runners", "gha_idle_runners"].map((n) => [n, { labels: [...GAUGE_LABELS] }]),
  ),
  histograms: {
    gha_job_startup_duration_seconds: { labels: ["repository", "event_name"] },
    gha_job_execution_duration_seconds: { labels: ["repository", "event_name", "job_result"] },
  },
};

/** The collector a config gets: `monitoring.collector`, else managed Prometheus on gke and none elsewhere. */
export function defaultCollector(target: RunnersConfig["target"]): MonitoringCollector {
  return target === "gke" ? "gke-managed" : "none";
}

export function planMonitoring(config: RunnersConfig, engines: readonly EngineNames[], engineNamespace: string, enginePort: number | undefined): MonitoringPlan {
  const m = config.monitoring;
  const collector = m.collector ?? defaultCollector(config.target);
  const warnings: string[] = [];
  const ignored = (key: string, value: unknown, why: string) => warnings.push(`${key}: ${JSON.stringify(value)} is ignored: ${why}`);
  if (collector === "none") {
    if (m.scrapeInterval !== undefined) ignored("monitoring.scrapeInterval", m.scrapeInterval, 'monitoring.collector is "none", so nothing is scraped');
    if (m.labels !== undefined) ignored("monitoring.labels", m.labels, 'monitoring.collector is "none", so no scrape object is created');
  }

  let engineMetrics: MonitoringPlan["engineMetrics"];
  if (m.engineMetrics) {
    if (enginePort === ENGINE_METRICS_PORT) {
      throw new PlanError("dagger.engine.port", enginePort, `conflicts with the engines' metrics port ${ENGINE_METRICS_PORT} (choose another port, or set monitoring.engineMetrics: false)`);
    }
    // One entry per version (a GPU engine shares its version with an engine).
    const all = [...new Set(engines.map((e) => e.version))];
    const versions = all.filter(engineServesMetrics);
    const without = all.filter((v) => !engineServesMetrics(v));
    if (without.length > 0) {
      warnings.push(`monitoring.engineMetrics: engine ${without.join(", ")} serves no Prometheus metrics (engines read ${ENGINE_METRICS_ADDR_ENV} from ${ENGINE_METRICS_MIN_VERSION}): not scraped`);
    }
    engineMetrics = {
      port: ENGINE_METRICS_PORT,
      addr: `0.0.0.0:${ENGINE_METRICS_PORT}`,
      versions,
      // Declaring ports needs chart 0.19.1; from chart 0.21.0 it also makes the chart create its
      // own Service, which a tcp engine must not get beside ours (lib/planning/engines.ts chartCreatesService).
      namedPortVersions: versions.filter(
        (v) => compareVersions(parseVersion(v), parseVersion(ENGINE_CHART_CONTAINER_PORTS_MIN)) >= 0 && !(enginePort !== undefined && chartCreatesService(parseVersion(v))),
      ),
    };
  }

  const targets: ScrapeTarget[] = [];
  if (collector !== "none") {
    if (config.arc.metrics) {
      targets.push({
        name: `${config.name}-arc-controller`,
        namespace: config.arc.namespace,
        what: "arc-controller",
        selector: { "app.kubernetes.io/part-of": "gha-rs-controller", "app.kubernetes.io/component": "controller-manager" },
        port: METRICS_PORT_NAME,
        path: METRICS_PATH,
        podLabels: {},
      });
      targets.push({
        name: `${config.name}-arc-listeners`,
        namespace: config.arc.namespace,
        what: "arc-listener",
        selector: { "app.kubernetes.io/part-of": "gha-runner-scale-set", "app.kubernetes.io/component": "runner-scale-set-listener" },
        port: METRICS_PORT_NAME,
        path: METRICS_PATH,
        podLabels: { "actions.github.com/scale-set-name": SCALE_SET_TARGET_LABEL },
      });
    }
    for (const e of engines) {
      if (!engineMetrics?.versions.includes(e.version)) continue;
      const named = engineMetrics.namedPortVersions.includes(e.version);
      if (!named && collector === "prometheus-operator") {
        // prometheus-operator keeps only targets whose port the pod declares (PodMonitor
        // `portNumber`/`targetPort` docs); Managed Prometheus scrapes a port number as given.
        const why = compareVersions(parseVersion(e.version), parseVersion(ENGINE_CHART_CONTAINER_PORTS_MIN)) < 0
          ? `its chart cannot declare the metrics port (engine.containerPorts arrived in ${ENGINE_CHART_CONTAINER_PORTS_MIN})`
          : "declaring the metrics port would make its chart create a second Service beside the tcp engine's";
        warnings.push(`monitoring.collector: engine ${e.version} is not scraped: ${why}, and Prometheus Operator drops undeclared ports`);
        continue;
      }
      targets.push({
        name: e.releaseName,
        namespace: engineNamespace,
        what: "dagger-engine",
        version: e.version,
        selector: { name: e.workloadName },
        port: named ? METRICS_PORT_NAME : engineMetrics.port,
        path: METRICS_PATH,
        podLabels: { "app.kubernetes.io/version": ENGINE_VERSION_TARGET_LABEL },
      });
    }
  }

  return {
    collector,
    interval: m.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL,
    labels: m.labels ?? {},
    arcMetrics: config.arc.metrics,
    engineMetrics,
    listenerMetrics: config.arc.metrics ? LISTENER_METRICS : undefined,
    targets,
    warnings: [...new Set(warnings)],
  };
}
