/**
 * Every metric name the alert rules and the dashboard may use, with where it is defined, at the
 * deployed versions. Pure data: tests check each rule and panel expression against it.
 *
 * ARC (actions/actions-runner-controller at tag gha-runner-scale-set-0.14.2, commit 9bb16ae49d):
 * - controller (`controllers/actions.github.com/metrics/metrics.go`, subsystem `gha_controller`,
 *   registered in controller-runtime's registry, served on `--metrics-addr`):
 *   `gha_controller_pending_ephemeral_runners`, `_running_ephemeral_runners`,
 *   `_failed_ephemeral_runners`, `_running_listeners`; labels `name` (scale set), `namespace`,
 *   `repository`, `organization`, `enterprise`.
 * - listener (`cmd/ghalistener/metrics/metrics.go`, constants `Metric*`, served on the
 *   controller's `--listener-metrics-addr`): gauges `gha_assigned_jobs`, `gha_running_jobs`,
 *   `gha_registered_runners`, `gha_busy_runners`, `gha_min_runners`, `gha_max_runners`,
 *   `gha_desired_runners`, `gha_idle_runners` (labels `name`, `namespace`, ...); counters
 *   `gha_started_jobs_total`, `gha_completed_jobs_total`; histograms
 *   `gha_job_startup_duration_seconds`, `gha_job_execution_duration_seconds` (job labels only:
 *   no scale-set label, which the scrape adds as `scale_set` from the listener pod's
 *   `actions.github.com/scale-set-name` label).
 *
 * Dagger engine (dagger/dagger `cmd/engine/metrics.go`, served when `cmd/engine/main.go` reads
 * `_EXPERIMENTAL_DAGGER_METRICS_ADDR`, first in v0.18.11, commit eac70cb839, PR 10555):
 * - from v0.18.11: `dagger_connected_clients`, `dagger_local_cache_total_disk_size_bytes`,
 *   `dagger_local_cache_entries`;
 * - from v0.19.5: `dagger_local_cache_corrupt_db_reset`;
 * - from v0.20.0: `dagger_dagql_cache_entries` (unchanged through v0.21.8).
 * The engine registers them in client_golang's default registry and serves
 * `promhttp.Handler()`, so the default registry's process collector is there too
 * (prometheus/client_golang `prometheus/registry.go` `init`: `NewProcessCollector`), giving
 * `process_start_time_seconds`.
 *
 * Every scrape: `up` (1 when the target answered), written by the scraper itself (Prometheus
 * "Jobs and instances: automatically generated labels and time series"; Managed Service for
 * Prometheus writes it for PodMonitoring targets too).
 */
import { compareVersions, parseVersion } from "./versions";

/** Where a metric comes from. */
export type MetricSource = "arc-controller" | "arc-listener" | "dagger-engine" | "scrape";

export interface MetricName {
  readonly name: string;
  readonly source: MetricSource;
  readonly type: "gauge" | "counter" | "histogram";
  /** Where it is defined (repository path at the tag). */
  readonly citation: string;
  /** Dagger engine metrics: the first engine version serving it. */
  readonly since?: string;
}

const ARC = "actions/actions-runner-controller@gha-runner-scale-set-0.14.2";
const ctl = (name: string): MetricName => ({ name, source: "arc-controller", type: "gauge", citation: `${ARC} controllers/actions.github.com/metrics/metrics.go` });
const lis = (name: string, type: MetricName["type"]): MetricName => ({ name, source: "arc-listener", type, citation: `${ARC} cmd/ghalistener/metrics/metrics.go` });
const eng = (name: string, since: string, citation = `dagger/dagger@v${since} cmd/engine/metrics.go`): MetricName => ({ name, source: "dagger-engine", type: "gauge", citation, since });

/** The ARC version the list was read from: the default `arc.version` (test/monitoring.test.ts holds them equal). */
export const ARC_METRICS_VERSION = "0.14.2";

/** First engine version that serves Prometheus metrics (`_EXPERIMENTAL_DAGGER_METRICS_ADDR`, dagger/dagger PR 10555). */
export const ENGINE_METRICS_MIN_VERSION = "0.18.11";

export const METRIC_NAMES: readonly MetricName[] = [
  ctl("gha_controller_pending_ephemeral_runners"),
  ctl("gha_controller_running_ephemeral_runners"),
  ctl("gha_controller_failed_ephemeral_runners"),
  ctl("gha_controller_running_listeners"),
  lis("gha_assigned_jobs", "gauge"),
  lis("gha_running_jobs", "gauge"),
  lis("gha_registered_runners", "gauge"),
  lis("gha_busy_runners", "gauge"),
  lis("gha_min_runners", "gauge"),
  lis("gha_max_runners", "gauge"),
  lis("gha_desired_runners", "gauge"),
  lis("gha_idle_runners", "gauge"),
  lis("gha_started_jobs_total", "counter"),
  lis("gha_completed_jobs_total", "counter"),
  lis("gha_job_startup_duration_seconds", "histogram"),
  lis("gha_job_execution_duration_seconds", "histogram"),
  eng("dagger_connected_clients", "0.18.11"),
  eng("dagger_local_cache_total_disk_size_bytes", "0.18.11"),
  eng("dagger_local_cache_entries", "0.18.11"),
  eng("dagger_local_cache_corrupt_db_reset", "0.19.5"),
  eng("dagger_dagql_cache_entries", "0.20.0"),
  eng("process_start_time_seconds", "0.18.11", "prometheus/client_golang prometheus/registry.go (default registry's process collector, served by the engine's promhttp.Handler)"),
  { name: "up", source: "scrape", type: "gauge", citation: "written by the scraper for every target (Prometheus docs: jobs and instances)" },
];

/** Whether engine `version` reads `_EXPERIMENTAL_DAGGER_METRICS_ADDR`. */
export function engineServesMetrics(version: string): boolean {
  return compareVersions(parseVersion(version), parseVersion(ENGINE_METRICS_MIN_VERSION)) >= 0;
}
