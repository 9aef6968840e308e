/**
 * Where the deployment's scrape configuration goes (lib/planning/monitoring.ts): Google Cloud
 * Managed Service for Prometheus `PodMonitoring`, Prometheus Operator `PodMonitor`, or nothing.
 * Pure: the input schema (`monitoring.collector`) and the constructs share this list.
 */
export const MONITORING_COLLECTORS = ["gke-managed", "prometheus-operator", "none"] as const;
export type MonitoringCollector = (typeof MONITORING_COLLECTORS)[number];
