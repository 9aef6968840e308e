import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { Manifest } from "../imports/kubernetes";
import type { MonitoringCollector } from "../planning/monitoring-collector";
import type { ScrapeTarget } from "../planning/monitoring";
import { DEFAULT_SCRAPE_INTERVAL } from "../planning/monitoring";

/** Props of {@link RunnerMonitoring}. */
export interface RunnerMonitoringProps {
  /** `gke-managed`: `PodMonitoring` objects; `prometheus-operator`: `PodMonitor` objects; `none`: nothing. */
  readonly collector: MonitoringCollector;
  /** What to scrape (lib/planning/monitoring.ts `planMonitoring`). */
  readonly targets: readonly ScrapeTarget[];
  /** Scrape interval. @default "30s" */
  readonly interval?: string;
  /** Labels of every scrape object (e.g. what a `podMonitorSelector` selects). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Created after these (the releases whose namespaces and pods the targets are in). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** Prometheus' pod-label meta label (`__meta_kubernetes_pod_label_<name>`, non-alphanumerics as `_`). */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/** The scrape object of one target for `collector` (a Kubernetes object, as `kubernetes_manifest` takes it). */
export function scrapeObject(collector: Exclude<MonitoringCollector, "none">, t: ScrapeTarget, interval: string, labels: Readonly<Record<string, string>>): Record<string, unknown> {
  const metadata = {
    name: t.name,
    namespace: t.namespace,
    labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners", ...labels },
  };
  const mapped = Object.entries(t.podLabels);
  if (collector === "gke-managed") {
    // monitoring.googleapis.com/v1 PodMonitoring (GoogleCloudPlatform/prometheus-engine v0.17.2
    // charts/operator/crds/monitoring.googleapis.com_podmonitorings.yaml): `port` is a name or number.
    return {
      apiVersion: "monitoring.googleapis.com/v1",
      kind: "PodMonitoring",
      metadata,
      spec: {
        selector: { matchLabels: { ...t.selector } },
        endpoints: [{ port: t.port, path: t.path, interval }],
        ...(mapped.length > 0 ? { targetLabels: { fromPod: mapped.map(([from, to]) => ({ from, to })) } } : {}),
      },
    };
  }
  // monitoring.coreos.com/v1 PodMonitor (prometheus-operator v0.93.0
  // example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml): `port` is a name.
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata,
    spec: {
      selector: { matchLabels: { ...t.selector } },
      namespaceSelector: { matchNames: [t.namespace] },
      podMetricsEndpoints: [
        {
          ...(typeof t.port === "number" ? { portNumber: t.port } : { port: t.port }),
          path: t.path,
          interval,
          ...(mapped.length > 0 ? { relabelings: mapped.map(([from, to]) => ({ action: "replace", sourceLabels: [podLabelMeta(from)], targetLabel: to })) } : {}),
        },
      ],
    },
  };
}

/**
 * The scrape configuration of the deployment's metrics: one `PodMonitoring` (Managed Service for
 * Prometheus) or `PodMonitor` (Prometheus Operator) per target, as `kubernetes_manifest`. Like
 * the engines' VPAs, these need their CRDs in the cluster when Terraform plans: GKE installs the
 * `monitoring.googleapis.com` CRDs with managed collection; a Prometheus Operator installs its own.
 */
export class RunnerMonitoring extends Construct {
  /** The scrape objects, by target name. */
  readonly objects: Readonly<Record<string, Record<string, unknown>>>;

  constructor(scope: Construct, id: string, props: RunnerMonitoringProps) {
    super(scope, id);
    const objects: Record<string, Record<string, unknown>> = {};
    if (props.collector !== "none") {
      for (const t of props.targets) {
        const manifest = scrapeObject(props.collector, t, props.interval ?? DEFAULT_SCRAPE_INTERVAL, props.labels ?? {});
        objects[t.name] = manifest;
        new Manifest(this, `scrape-${t.name}`, { manifest, dependsOn: props.dependsOn });
      }
    }
    this.objects = objects;
  }
}
