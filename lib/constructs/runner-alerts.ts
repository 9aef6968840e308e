import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { Manifest } from "../imports/kubernetes";
import type { MonitoringCollector } from "../planning/monitoring-collector";
import type { RuleObjectPlan } from "../planning/alerts";

/** Props of {@link RunnerAlerts}. */
export interface RunnerAlertsProps {
  /** `gke-managed`: `Rules` objects; `prometheus-operator`: `PrometheusRule` objects; `none`: nothing. */
  readonly collector: MonitoringCollector;
  /** The rule objects (lib/planning/alerts.ts `planAlerts`). */
  readonly objects: readonly RuleObjectPlan[];
  /** Labels of every rule object (e.g. what a Prometheus' `ruleSelector` selects). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Created after these (the namespaces they go in). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** The rule object of `plan` for `collector` (a Kubernetes object, as `kubernetes_manifest` takes it). */
export function ruleObject(collector: Exclude<MonitoringCollector, "none">, plan: RuleObjectPlan, labels: Readonly<Record<string, string>>): Record<string, unknown> {
  const metadata = { name: plan.name, namespace: plan.namespace, labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners", ...labels } };
  const groups = plan.groups.map((g) => ({
    name: g.name,
    interval: g.interval,
    rules: g.rules.map((r) => ({
      alert: r.alert,
      expr: r.expr,
      ...(r.for ? { for: r.for } : {}),
      ...(Object.keys(r.labels).length > 0 ? { labels: { ...r.labels } } : {}),
      annotations: { ...r.annotations },
    })),
  }));
  // monitoring.googleapis.com/v1 Rules (GoogleCloudPlatform/prometheus-engine v0.17.2
  // charts/operator/crds/monitoring.googleapis.com_rules.yaml) and monitoring.coreos.com/v1
  // PrometheusRule (prometheus-operator v0.93.0 example/prometheus-operator-crd/
  // monitoring.coreos.com_prometheusrules.yaml) share the groups' shape.
  return collector === "gke-managed"
    ? { apiVersion: "monitoring.googleapis.com/v1", kind: "Rules", metadata, spec: { groups } }
    : { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata, spec: { groups } };
}

/**
 * The deployment's alert rules: managed Prometheus `Rules` (one per namespace holding the
 * targets, which is all a namespaced `Rules` sees) or one `PrometheusRule`, as
 * `kubernetes_manifest`; their CRDs must exist when Terraform plans, like the scrape objects'.
 */
export class RunnerAlerts extends Construct {
  /** The rule objects, by `<namespace>/<name>`. */
  readonly objects: Readonly<Record<string, Record<string, unknown>>>;

  constructor(scope: Construct, id: string, props: RunnerAlertsProps) {
    super(scope, id);
    const objects: Record<string, Record<string, unknown>> = {};
    if (props.collector !== "none") {
      for (const o of props.objects) {
        const manifest = ruleObject(props.collector, o, props.labels ?? {});
        objects[`${o.namespace}/${o.name}`] = manifest;
        new Manifest(this, `rules-${o.namespace}-${o.name}`, { manifest, dependsOn: props.dependsOn });
      }
    }
    this.objects = objects;
  }
}
