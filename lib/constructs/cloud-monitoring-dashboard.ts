import { Construct } from "constructs";
import { MonitoringDashboard } from "../imports/google";
import type { DashboardPlan } from "../planning/alerts";

/** Props of {@link CloudMonitoringDashboard}. */
export interface CloudMonitoringDashboardProps {
  /** The dashboard (lib/planning/alerts.ts `planAlerts`, kind `cloud-monitoring`). */
  readonly dashboard: DashboardPlan;
  /** The project. @default the Google provider's project */
  readonly project?: string;
}

/**
 * Cloud Monitoring dashboard JSON (`projects.dashboards`, v1): a mosaic of XY charts, each a
 * PromQL query (`TimeSeriesQuery.prometheusQuery`) over the metrics Managed Service for
 * Prometheus collects.
 */
export function cloudMonitoringDashboardJson(d: DashboardPlan): Record<string, unknown> {
  return {
    displayName: d.title,
    mosaicLayout: {
      columns: 48,
      tiles: d.panels.map((p, i) => ({
        xPos: (i % 2) * 24,
        yPos: Math.floor(i / 2) * 16,
        width: 24,
        height: 16,
        widget: {
          title: p.title,
          xyChart: {
            dataSets: p.queries.map((x) => ({
              timeSeriesQuery: { prometheusQuery: x.expr, ...(p.unit ? { unitOverride: p.unit === "bytes" ? "By" : "s" } : {}) },
              plotType: "LINE",
            })),
            yAxis: { scale: "LINEAR" },
          },
        },
      })),
    },
  };
}

/** The deployment's dashboard in Cloud Monitoring (`google_monitoring_dashboard`). */
export class CloudMonitoringDashboard extends Construct {
  readonly resource: MonitoringDashboard;
  readonly json: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: CloudMonitoringDashboardProps) {
    super(scope, id);
    this.json = cloudMonitoringDashboardJson(props.dashboard);
    this.resource = new MonitoringDashboard(this, "dashboard", { dashboardJson: JSON.stringify(this.json), project: props.project });
  }
}
