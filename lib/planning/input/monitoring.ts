import { z } from "zod";
import { MONITORING_COLLECTORS } from "../monitoring-collector";

const minutes = (max: number) => z.number().int().min(1).max(max);

/**
 * `monitoring.alerts`: alert rules (docs/monitoring.md "Alerts" lists each rule and what it needs).
 * Unset thresholds take DEFAULT_ALERTS (lib/planning/defaults.ts) when the plan is made, so a key
 * set under collector `none` can be told apart and warned about.
 */
export const alertsSchema = z
  .object({
    /** Create the alert rules (`Rules` on gke-managed, `PrometheusRule` on prometheus-operator). @default true */
    enabled: z.boolean().optional(),
    /** Minutes jobs may stay assigned to a scale set without running. @default 15 */
    jobWaitMinutes: minutes(1440).optional(),
    /** Failed runners (EphemeralRunners in phase Failed) of one scale set that alert. @default 1 */
    failedRunners: z.number().int().min(1).optional(),
    /** Minutes a listener may be down or missing. @default 5 */
    listenerDownMinutes: minutes(1440).optional(),
    /** Minutes runner pods may stay pending while jobs wait (a node pool at its maximum). @default 15 */
    pendingRunnersMinutes: minutes(1440).optional(),
    /** Minutes an engine's metrics endpoint may be down, or its pod missing. @default 5 */
    engineDownMinutes: minutes(1440).optional(),
    /** Engine restarts within one hour that alert. @default 2 */
    engineRestarts: z.number().int().min(1).optional(),
    /** Percent of a StatefulSet engine's cache volume (`dagger.engine.cache.size`) its cache may fill. @default 85 */
    engineCachePercent: z.number().int().min(1).max(100).optional(),
    /** Labels added to every alert (e.g. `severity` or a team for Alertmanager routing). @default {} */
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: "is not a Prometheus label name" }), z.string()).optional(),
  })
  .strict()
  .default({});

/** `monitoring`: metrics of the ARC controller, the listeners and the engines, and who scrapes them. */
export const monitoringSchema = z
  .object({
    /**
     * Who scrapes the metrics: `gke-managed` (Google Cloud Managed Service for Prometheus:
     * `PodMonitoring` objects, managed collection on the cluster), `prometheus-operator`
     * (`PodMonitor` objects) or `none` (endpoints served, nothing scrapes them).
     * @default "gke-managed" on target gke, "none" on target existing-cluster
     */
    collector: z.enum(MONITORING_COLLECTORS).optional(),
    /** Serve the engines' Prometheus endpoint (engines from 0.18.11 read `_EXPERIMENTAL_DAGGER_METRICS_ADDR`). @default true */
    engineMetrics: z.boolean().default(true),
    /** Scrape interval of every target (`<n>s` or `<n>m`). @default "30s" */
    scrapeInterval: z
      .string()
      .regex(/^[1-9]\d*(s|m)$/, { message: 'is not an interval (expected seconds or minutes, e.g. "30s" or "1m")' })
      .optional(),
    /**
     * Labels put on every scrape object (e.g. the `release` label a Prometheus Operator's
     * `podMonitorSelector` selects). @default {}
     */
    labels: z.record(z.string(), z.string()).optional(),
    alerts: alertsSchema,
    /**
     * A dashboard as code: jobs queued and running, job wait and duration per label, runners and
     * engines' health. gke-managed: a Cloud Monitoring dashboard (cluster stack, target gke);
     * prometheus-operator: a Grafana dashboard in a ConfigMap labelled `grafana_dashboard: "1"`.
     * @default true
     */
    dashboard: z.boolean().optional(),
  })
  .strict()
  .default({});
