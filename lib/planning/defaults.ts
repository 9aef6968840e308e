/**
 * Defaults used both by the input schema (lib/planning/input, the config file and
 * RunnersDeployment's props) and by the constructs and planning functions when used directly:
 * each value is written here once. Pure: no imports.
 */

/** Namespace of the Dagger engines (`dagger.engine.namespace`). */
export const DEFAULT_ENGINES_NAMESPACE = "dagger-engines";
/** Value of the engines' created PriorityClass (`dagger.engine.priorityClass.value`). */
export const DEFAULT_ENGINE_PRIORITY = 1_000_000;
/**
 * `preemptionPolicy` of the engines' created PriorityClass: `Never`, so no engine evicts a running
 * runner to get onto a node; it waits, ahead of pending runners, for room (docs/capacity.md).
 */
export const DEFAULT_ENGINE_PREEMPTION_POLICY = "Never";
/** `updatePolicy.updateMode` of the engines' VPAs: recommend only, never evict. */
export const DEFAULT_VPA_UPDATE_MODE = "Off";
/** First part of every `runs-on` label and scale-set name (`runners.labelPrefix`): `dagger-v0.20`. */
export const DEFAULT_LABEL_PREFIX = "dagger";
/** Idle runners per scale set (`runners.minRunners`). */
export const DEFAULT_MIN_RUNNERS = 0;
/** Most runners per scale set (`runners.maxRunners`). */
export const DEFAULT_MAX_RUNNERS = 10;
/**
 * Seconds Terraform waits for Helm on a scale set's release; an uninstall lasts until ARC has let
 * every busy runner finish its job. 6 h: GitHub's default job timeout (`timeout-minutes`, default
 * 360: GitHub docs, "Workflow syntax for GitHub Actions", `jobs.<job_id>.timeout-minutes`).
 */
export const DEFAULT_SCALE_SET_HELM_TIMEOUT = 21600;
/** GitHub runner group of the scale sets (`github.runnerGroup`). */
export const DEFAULT_RUNNER_GROUP = "default";
/** Schedule of the failed-pod cleanup (`runners.cleanup.schedule`): every 15 minutes. */
export const DEFAULT_CLEANUP_SCHEDULE = "*/15 * * * *";
/** Path of `kubectl` in the kubectl image (`runners.kubectlPath`; registry.k8s.io/kubectl's ENTRYPOINT). */
export const DEFAULT_KUBECTL_PATH = "/bin/kubectl";
/** How long a unix runner waits for its node's engine socket (`runners.engineWaitSeconds`). */
export const DEFAULT_ENGINE_WAIT_SECONDS = 300;
/** ARC controller replicas (`arc.replicas`). */
export const DEFAULT_ARC_REPLICAS = 1;
/** ARC controller log level (`arc.logLevel`). */
export const DEFAULT_ARC_LOG_LEVEL = "info";
/**
 * How the ARC controller applies a changed scale set while jobs run (`arc.updateStrategy`):
 * `eventual` removes the listener and waits for running and pending jobs before it recreates the
 * runner set (actions-runner-controller gha-runner-scale-set-0.14.2 `main.go` flag
 * `--update-strategy`, `autoscalingrunnerset_controller.go` `drainingJobs`); the chart's own
 * default is `immediate`.
 */
export const DEFAULT_ARC_UPDATE_STRATEGY = "eventual";
/** ARC controller log format (`arc.logFormat`). */
export const DEFAULT_ARC_LOG_FORMAT = "json";
/** Default StatefulSet engine cache size (`dagger.engine.cache.size`). */
export const DEFAULT_CACHE_SIZE = "100Gi";

/** Alert thresholds (`monitoring.alerts.*`), documented in docs/monitoring.md "Alerts". */
export const DEFAULT_ALERTS = {
  /** Jobs assigned to a scale set but not running for this many minutes. */
  jobWaitMinutes: 15,
  /** Failed runners (EphemeralRunners in phase Failed) of a scale set that alert. */
  failedRunners: 1,
  /** Minutes a listener is down (or missing) before it alerts. */
  listenerDownMinutes: 5,
  /** Minutes runner pods stay pending while jobs wait (the node pool at its maximum) before it alerts. */
  pendingRunnersMinutes: 15,
  /** Minutes an engine's metrics endpoint is down (or its pod missing) before it alerts. */
  engineDownMinutes: 5,
  /** Engine restarts within an hour that alert. */
  engineRestarts: 2,
  /** Percent of a StatefulSet engine's cache volume its cache may fill before it alerts. */
  engineCachePercent: 85,
} as const;

/**
 * Warm runners on a schedule (`runners.schedules`): the CronJobs re-apply the value their time
 * slot wants every this many minutes, so a deploy or a missed run is corrected within it.
 */
export const SCHEDULE_REASSERT_MINUTES = 15;
/** Time zone of a schedule without `timeZone`. */
export const DEFAULT_SCHEDULE_TIME_ZONE = "Etc/UTC";

/**
 * GKE maintenance window (`cluster.maintenanceWindow`): Saturdays and Sundays, 00:00-12:00 UTC,
 * when CI is quiet: 96 hours in any 32 days, above GKE's minimum of 48 ("You must allow at least
 * 48 hours of maintenance availability in a 32-day rolling window. Only contiguous availability
 * windows of at least four hours are considered", cloud.google.com/kubernetes-engine/docs/maintenance-window).
 * 2026-01-03 is a Saturday; only the time of day and the duration matter.
 */
export const DEFAULT_MAINTENANCE_WINDOW = {
  startTime: "2026-01-03T00:00:00Z",
  endTime: "2026-01-03T12:00:00Z",
  recurrence: "FREQ=WEEKLY;BYDAY=SA,SU",
} as const;
/** GKE's rule for maintenance windows: hours of availability in any 32 days, in windows of at least 4 hours. */
export const GKE_MAINTENANCE_MIN_HOURS = 48;
export const GKE_MAINTENANCE_MIN_WINDOW_HOURS = 4;
