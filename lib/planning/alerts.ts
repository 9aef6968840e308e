/**
 * Alert rules and the dashboard of a deployment's metrics, for its collector. Pure code: the
 * constructs turn the rule groups into `Rules` / `PrometheusRule` objects and the panels into a
 * Cloud Monitoring or Grafana dashboard. Every expression reads only metrics of
 * lib/planning/metric-names.ts (test/alerts.test.ts parses each one) and selects them by the
 * `job` label the collector gives the scrape objects of lib/planning/monitoring.ts:
 * - Managed Service for Prometheus: `job` is the PodMonitoring's name
 *   (GoogleCloudPlatform/prometheus-engine v0.17.2 `pkg/operator/apis/monitoring/v1/pod_config.go`),
 *   and a namespaced `Rules` object only sees series of its own namespace, cluster and project
 *   (same tag, `rules_config.go` `scope`): so one `Rules` per namespace holding the targets.
 * - Prometheus Operator: `job` is `<namespace>/<PodMonitor name>` (prometheus-operator v0.93.0
 *   `pkg/prometheus/promcfg.go` `generatePodMonitorConfig`); a `PrometheusRule` is not scoped,
 *   so one object in the controller's namespace holds every group.
 */
import type { RunnersConfig } from "./input/schema";
import type { MonitoringCollector } from "./monitoring-collector";
import type { MonitoringPlan, ScrapeTarget } from "./monitoring";
import type { EngineLayerPlan } from "./engine-layer";
import { DEFAULT_ALERTS, DEFAULT_CACHE_SIZE } from "./defaults";
import { memoryMiB } from "./quantity";
import { SCALE_SET_TARGET_LABEL, ENGINE_VERSION_TARGET_LABEL } from "./monitoring";

export type AlertThresholds = { -readonly [K in keyof typeof DEFAULT_ALERTS]: number };

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the expression must hold (`<n>m`); absent: alert at once. */
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly AlertRule[];
}

/** One rule object (`Rules` or `PrometheusRule`). */
export interface RuleObjectPlan {
  readonly name: string;
  readonly namespace: string;
  readonly groups: readonly RuleGroup[];
}

export interface DashboardQuery {
  readonly expr: string;
  /** Legend of the series (Grafana `legendFormat`). */
  readonly legend: string;
}

export interface DashboardPanel {
  readonly title: string;
  /** `s` (seconds), `bytes` or none (a count). */
  readonly unit?: "s" | "bytes";
  readonly queries: readonly DashboardQuery[];
}

export interface DashboardPlan {
  readonly title: string;
  /** `cloud-monitoring` (gke-managed, created by the cluster stack) or `grafana` (a ConfigMap). */
  readonly kind: "cloud-monitoring" | "grafana";
  /** Grafana: where the ConfigMap goes, and its name. */
  readonly namespace: string;
  readonly name: string;
  readonly panels: readonly DashboardPanel[];
}

export interface AlertsPlan {
  readonly thresholds: AlertThresholds;
  /** Rule objects (none with collector `none` or `monitoring.alerts.enabled: false`). */
  readonly objects: readonly RuleObjectPlan[];
  readonly dashboard?: DashboardPlan;
  readonly warnings: readonly string[];
}

/** The `job` label value the collector gives a target's series. */
export function jobLabel(collector: Exclude<MonitoringCollector, "none">, t: ScrapeTarget): string {
  return collector === "gke-managed" ? t.name : `${t.namespace}/${t.name}`;
}

const q = (s: string) => JSON.stringify(s);
/** A `job` matcher for one or several targets. */
function jobMatcher(jobs: readonly string[]): string {
  return jobs.length === 1 ? `job=${q(jobs[0])}` : `job=~${q(jobs.map((j) => j.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"))}`;
}

export interface AlertsInput {
  readonly config: RunnersConfig;
  readonly monitoring: MonitoringPlan;
  readonly engine: EngineLayerPlan;
  /** Planned scale sets (their number is how many listeners must answer). */
  readonly scaleSets: number;
  /** GKE cluster name (gke-managed dashboards filter on `cluster`). */
  readonly clusterName?: string;
  /**
   * Engine targets (release names) whose pods are normally absent: the GPU engines of a gpu pool
   * that scales to zero nodes. DaggerEngineDown fires for them on `up == 0` only. @default []
   */
  readonly mayBeAbsent?: readonly string[];
}

export function planAlerts(input: AlertsInput): AlertsPlan {
  const { config, monitoring } = input;
  const a = config.monitoring.alerts;
  const thresholds: AlertThresholds = { ...DEFAULT_ALERTS };
  for (const k of Object.keys(DEFAULT_ALERTS) as (keyof AlertThresholds)[]) if (a[k] !== undefined) thresholds[k] = a[k]!;
  const warnings: string[] = [];
  const collector = monitoring.collector;
  if (collector === "none") {
    const set = Object.entries(a).filter(([, v]) => v !== undefined);
    if (set.length > 0) warnings.push(`monitoring.alerts: ${set.map(([k]) => k).join(", ")} ignored: monitoring.collector is "none", so no alert rules are created`);
    if (config.monitoring.dashboard !== undefined) warnings.push(`monitoring.dashboard: ${config.monitoring.dashboard} is ignored: monitoring.collector is "none", so no dashboard is created`);
    return { thresholds, objects: [], warnings };
  }
  if (a.enabled === false) {
    const set = Object.entries(a).filter(([k, v]) => k !== "enabled" && v !== undefined);
    if (set.length > 0) warnings.push(`monitoring.alerts: ${set.map(([k]) => k).join(", ")} ignored: monitoring.alerts.enabled is false`);
  }

  const byWhat = (w: ScrapeTarget["what"]) => monitoring.targets.filter((t) => t.what === w);
  const controller = byWhat("arc-controller")[0];
  const listeners = byWhat("arc-listener")[0];
  const engines = byWhat("dagger-engine");
  const job = (t: ScrapeTarget) => jobLabel(collector, t);
  const extra = { ...(a.labels ?? {}) };
  const rule = (alert: string, expr: string, forMinutes: number | undefined, summary: string, description: string): AlertRule => ({
    alert,
    expr,
    ...(forMinutes !== undefined ? { for: `${forMinutes}m` } : {}),
    labels: { ...extra },
    annotations: { summary, description },
  });
  const t = thresholds;

  // --- ARC: controller and listeners (arc.metrics) --------------------------------------------
  const arcRules: AlertRule[] = [];
  if (listeners && controller) {
    const L = `{${jobMatcher([job(listeners)])}}`;
    const C = `{${jobMatcher([job(controller)])}}`;
    const waiting = `(sum by (name) (gha_assigned_jobs${L}) - sum by (name) (gha_running_jobs${L}))`;
    arcRules.push(
      rule(
        "DaggerRunnersJobsWaiting",
        `${waiting} > 0`,
        t.jobWaitMinutes,
        "Jobs of scale set {{ $labels.name }} have waited for a runner for over " + `${t.jobWaitMinutes} minutes`,
        "{{ $value }} jobs are assigned to the scale set but not running (listener gauges gha_assigned_jobs - gha_running_jobs).",
      ),
      rule(
        "DaggerRunnersFailedRunners",
        `max by (name) (gha_controller_failed_ephemeral_runners${C}) >= ${t.failedRunners}`,
        5,
        "Scale set {{ $labels.name }} has {{ $value }} failed runners",
        "EphemeralRunners in phase Failed (ARC gave up starting their pod): look at `kubectl get ephemeralrunners` in the runners namespace.",
      ),
      rule(
        "DaggerRunnersListenerDown",
        `up${L} == 0`,
        t.listenerDownMinutes,
        "The listener of scale set {{ $labels." + SCALE_SET_TARGET_LABEL + " }} does not answer",
        "Its metrics endpoint has been down: the scale set takes no new jobs while its listener is down.",
      ),
      rule(
        "DaggerRunnersListenersMissing",
        `(count(up${L} == 1) or vector(0)) < ${input.scaleSets}`,
        t.listenerDownMinutes,
        `Fewer than ${input.scaleSets} listeners answer`,
        `Every scale set has one listener pod in ${listeners.namespace}; {{ $value }} answer. A missing listener means its scale set takes no jobs (look at the AutoscalingListeners and the controller's log).`,
      ),
      rule(
        "DaggerRunnersPendingWithJobsWaiting",
        `(max by (name) (gha_controller_pending_ephemeral_runners${C}) > 0) and on (name) (${waiting} > 0)`,
        t.pendingRunnersMinutes,
        "Runner pods of scale set {{ $labels.name }} stay pending while jobs wait",
        "Runners have been pending with jobs queued: the node pool is likely at its maximum (or images cannot be pulled). The pool size itself is not among the collected metrics (it needs kube-state-metrics or Cloud Monitoring's node metrics).",
      ),
      rule(
        "DaggerRunnersAtMaxRunners",
        `(sum by (name) (gha_desired_runners${L}) >= sum by (name) (gha_max_runners${L})) and on (name) (${waiting} > 0)`,
        t.jobWaitMinutes,
        "Scale set {{ $labels.name }} is at maxRunners with jobs waiting",
        "The scale set's maxRunners caps it while jobs are queued: raise runners.maxRunners (if the node pools have room) or expect the wait.",
      ),
    );
  }

  // --- Engines (monitoring.engineMetrics, engines from 0.18.11) --------------------------------
  const engineRules: AlertRule[] = [];
  if (engines.length > 0) {
    const E = `{${jobMatcher(engines.map(job))}}`;
    const missing = engines
      .filter((e) => !(input.mayBeAbsent ?? []).includes(e.name))
      .map((e) => `absent(up{${jobMatcher([job(e)])}})`)
      .join(" or ");
    engineRules.push(
      rule(
        "DaggerEngineDown",
        missing === "" ? `up${E} == 0` : `up${E} == 0 or ${missing}`,
        t.engineDownMinutes,
        "A Dagger engine does not answer ({{ $labels.job }} {{ $labels." + ENGINE_VERSION_TARGET_LABEL + " }})",
        "Its metrics endpoint is down or no engine pod is running: runners of that version cannot build.",
      ),
      rule(
        "DaggerEngineRestarting",
        `changes(process_start_time_seconds${E}[1h]) >= ${t.engineRestarts}`,
        undefined,
        "Dagger engine {{ $labels." + ENGINE_VERSION_TARGET_LABEL + " }} restarted {{ $value }} times in an hour",
        "Every restart fails the builds running on it; look at the engine pod's previous log and its memory limit.",
      ),
    );
    if (input.engine.mode === "statefulset") {
      const size = input.engine.cache?.size ?? DEFAULT_CACHE_SIZE;
      const bytes = Math.floor((memoryMiB(size, "dagger.engine.cache.size") * 2 ** 20 * t.engineCachePercent) / 100);
      engineRules.push(
        rule(
          "DaggerEngineCacheNearlyFull",
          `dagger_local_cache_total_disk_size_bytes${E} > ${bytes}`,
          15,
          `Dagger engine {{ $labels.${ENGINE_VERSION_TARGET_LABEL} }} cache is over ${t.engineCachePercent}% of its ${size} volume`,
          "The engine's cache (dagger_local_cache_total_disk_size_bytes, refreshed every 5 minutes) nears its volume size: raise dagger.engine.cache.size or lower the engine's gc limits.",
        ),
      );
    }
  }

  const objects: RuleObjectPlan[] = [];
  if (a.enabled !== false) {
    const group = (name: string, rules: AlertRule[]): RuleGroup => ({ name, interval: monitoring.interval, rules });
    const name = `${config.name}-alerts`;
    if (collector === "gke-managed") {
      // One Rules object per namespace: its queries only see that namespace's series.
      if (arcRules.length > 0) objects.push({ name, namespace: config.arc.namespace, groups: [group("dagger-runners-arc", arcRules)] });
      if (engineRules.length > 0) objects.push({ name, namespace: engines[0].namespace, groups: [group("dagger-runners-engines", engineRules)] });
    } else if (arcRules.length + engineRules.length > 0) {
      objects.push({
        name,
        namespace: config.arc.namespace,
        groups: [...(arcRules.length > 0 ? [group("dagger-runners-arc", arcRules)] : []), ...(engineRules.length > 0 ? [group("dagger-runners-engines", engineRules)] : [])],
      });
    }
  }

  // --- Dashboard --------------------------------------------------------------------------------
  let dashboard: DashboardPlan | undefined;
  if (config.monitoring.dashboard !== false && (listeners || engines.length > 0)) {
    if (collector === "gke-managed" && config.target !== "gke") {
      if (config.monitoring.dashboard === true) {
        warnings.push('monitoring.dashboard: true is ignored: the Cloud Monitoring dashboard is created by the cluster stack, which target "existing-cluster" has not');
      }
    } else {
      // Cloud Monitoring holds every cluster of the project: its queries filter on this one.
      const scope = collector === "gke-managed" && input.clusterName ? [`cluster=${q(input.clusterName)}`] : [];
      const sel = (targets: readonly ScrapeTarget[]) => `{${[...scope, jobMatcher(targets.map(job))].join(", ")}}`;
      const panels: DashboardPanel[] = [];
      if (listeners && controller) {
        const L = sel([listeners]);
        const C = sel([controller]);
        const quantile = (metric: string) => (p: number) => ({
          expr: `histogram_quantile(${p}, sum by (${SCALE_SET_TARGET_LABEL}, le) (rate(${metric}_bucket${L}[15m])))`,
          legend: `p${Math.round(p * 100)} {{${SCALE_SET_TARGET_LABEL}}}`,
        });
        panels.push(
          { title: "Jobs queued (assigned, not running) per label", queries: [{ expr: `sum by (name) (gha_assigned_jobs${L}) - sum by (name) (gha_running_jobs${L})`, legend: "{{name}}" }] },
          { title: "Jobs running per label", queries: [{ expr: `sum by (name) (gha_running_jobs${L})`, legend: "{{name}}" }] },
          { title: "Job wait (queued to started) per label", unit: "s", queries: [0.5, 0.95].map(quantile("gha_job_startup_duration_seconds")) },
          { title: "Job duration per label", unit: "s", queries: [0.5, 0.95].map(quantile("gha_job_execution_duration_seconds")) },
          {
            title: "Runners: idle, busy, pending, failed",
            queries: [
              { expr: `sum by (name) (gha_idle_runners${L})`, legend: "idle {{name}}" },
              { expr: `sum by (name) (gha_busy_runners${L})`, legend: "busy {{name}}" },
              { expr: `sum by (name) (gha_controller_pending_ephemeral_runners${C})`, legend: "pending {{name}}" },
              { expr: `sum by (name) (gha_controller_failed_ephemeral_runners${C})`, legend: "failed {{name}}" },
            ],
          },
          { title: "Listeners answering", queries: [{ expr: `sum by (${SCALE_SET_TARGET_LABEL}) (up${L})`, legend: `{{${SCALE_SET_TARGET_LABEL}}}` }] },
        );
      }
      if (engines.length > 0) {
        // By namespace and target label rather than by job: adding or draining an engine version
        // leaves the dashboard (in the cluster stack on gke) unchanged.
        const E = `{${[...scope, `namespace=${q(engines[0].namespace)}`, `${ENGINE_VERSION_TARGET_LABEL}!=""`].join(", ")}}`;
        const v = ENGINE_VERSION_TARGET_LABEL;
        panels.push(
          { title: "Engines answering", queries: [{ expr: `sum by (${v}) (up${E})`, legend: `{{${v}}}` }] },
          { title: "Engine restarts (1h)", queries: [{ expr: `sum by (${v}) (changes(process_start_time_seconds${E}[1h]))`, legend: `{{${v}}}` }] },
          { title: "Engine clients connected", queries: [{ expr: `sum by (${v}) (dagger_connected_clients${E})`, legend: `{{${v}}}` }] },
          { title: "Engine cache size", unit: "bytes", queries: [{ expr: `max by (${v}) (dagger_local_cache_total_disk_size_bytes${E})`, legend: `{{${v}}}` }] },
        );
      }
      dashboard = {
        title: `Dagger runners: ${config.name}`,
        kind: collector === "gke-managed" ? "cloud-monitoring" : "grafana",
        namespace: config.arc.namespace,
        name: `${config.name}-dashboard`,
        panels,
      };
    }
  }
  return { thresholds, objects, dashboard, warnings };
}
