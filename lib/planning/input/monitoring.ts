import { z } from "zod";

/** Where the deployment's scrape configuration goes (lib/planning/monitoring.ts). */
export const MONITORING_COLLECTORS = ["gke-managed", "prometheus-operator", "none"] as const;
export type MonitoringCollector = (typeof MONITORING_COLLECTORS)[number];

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
  })
  .strict()
  .default({});
