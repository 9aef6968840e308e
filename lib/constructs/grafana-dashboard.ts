import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ConfigMapV1 } from "../imports/kubernetes";
import type { DashboardPlan } from "../planning/alerts";

/**
 * The label Grafana's dashboard sidecar looks for by default (grafana/helm-charts `charts/grafana/values.yaml`
 * `sidecar.dashboards.label: grafana_dashboard`, `labelValue: "1"`; kube-prometheus-stack uses the
 * same defaults).
 */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";

/** Props of {@link GrafanaDashboard}. */
export interface GrafanaDashboardProps {
  /** The dashboard (lib/planning/alerts.ts `planAlerts`): its ConfigMap's namespace, name and panels. */
  readonly dashboard: DashboardPlan;
  /** Labels added to the ConfigMap (beside `grafana_dashboard: "1"`). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Created after these. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

const UNITS: Record<string, string> = { s: "s", bytes: "bytes" };

/** Grafana dashboard JSON (schemaVersion 39, `timeseries` panels on a `datasource` variable of type prometheus). */
export function grafanaDashboardJson(d: DashboardPlan): Record<string, unknown> {
  const ds = { type: "prometheus", uid: "${datasource}" };
  return {
    title: d.title,
    uid: d.name.slice(0, 40),
    tags: ["dagger", "github-actions", "arc"],
    timezone: "browser",
    schemaVersion: 39,
    refresh: "1m",
    time: { from: "now-6h", to: "now" },
    templating: { list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {} }] },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      datasource: ds,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { ...(p.unit ? { unit: UNITS[p.unit] } : {}) }, overrides: [] },
      targets: p.queries.map((x, j) => ({ refId: String.fromCharCode(65 + j), datasource: ds, expr: x.expr, legendFormat: x.legend })),
    })),
  };
}

/**
 * The Grafana dashboard as a ConfigMap labelled `grafana_dashboard: "1"`, which Grafana's
 * dashboard sidecar loads when it searches the ConfigMap's namespace (`sidecar.dashboards.searchNamespace`).
 */
export class GrafanaDashboard extends Construct {
  readonly configMap: ConfigMapV1;
  readonly json: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    this.json = grafanaDashboardJson(props.dashboard);
    this.configMap = new ConfigMapV1(this, "configmap", {
      metadata: {
        name: props.dashboard.name,
        namespace: props.dashboard.namespace,
        labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners", ...(props.labels ?? {}), [GRAFANA_DASHBOARD_LABEL]: "1" },
      },
      data: { [`${props.dashboard.name}.json`]: JSON.stringify(this.json, null, 1) },
      dependsOn: props.dependsOn,
    });
  }
}
