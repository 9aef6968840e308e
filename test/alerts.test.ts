/**
 * Alerts and a dashboard (issue 15, part 2): rule objects per collector whose expressions read
 * only cited metric names (parsed as PromQL) and select the jobs the synthesized scrape objects
 * give their series; the rule objects validate against the CRDs in lib/verify/monitoring-crds;
 * the dashboard is a Cloud Monitoring dashboard on gke and a Grafana ConfigMap for Prometheus Operator.
 */
import { parseConfig } from "../lib/config/load";
import { METRIC_NAMES, engineServesMetrics } from "../lib/planning/metric-names";
import { PromQLError, metricNamesOf } from "../lib/planning/promql";
import { KubeSchemas, goPattern } from "../lib/verify/kube-schema";
import { monitoringCrdsDir } from "../lib/verify/scrape";
import { checkRuleObjects, jobsOf, knownMetric } from "../lib/verify/rules";
import { resources, synthConfig } from "./util";

const PAT = { configUrl: "https://github.com/acme", pat: true };
const OPERATOR = { target: "existing-cluster", github: PAT, monitoring: { collector: "prometheus-operator", labels: { release: "kps" } } };

type S = ReturnType<typeof synthConfig>;
const stack = (s: S, suffix: string) => s.stacks[Object.keys(s.stacks).find((n) => n.endsWith(suffix))!];
const manifests = (s: S) => Object.values(resources(stack(s, "-runners"), "kubernetes_manifest")).map((r: any) => r.manifest);
const ofKind = (s: S, kind: string) => manifests(s).filter((m) => m.kind === kind);
const rulesOf = (o: any) => o.spec.groups.flatMap((g: any) => g.rules) as { alert: string; expr: string; for?: string; labels?: Record<string, string> }[];

describe("PromQL metric names", () => {
  test("labels, strings, ranges, grouping and functions are not metric names", () => {
    expect(metricNamesOf('sum by (name, le) (rate(foo_bucket{job="a", name=~"x|y"}[5m])) / on (name) group_left (le) bar offset 5m > 0.5')).toEqual(["foo_bucket", "bar"]);
    expect(metricNamesOf('(count(up{job="j"} == 1) or vector(0)) < 3')).toEqual(["up"]);
    expect(metricNamesOf('label_replace(x, "dst", "$1", "src", "(.*)") and ignoring (pod) {__name__="y"}')).toEqual(["x", "y"]);
    expect(metricNamesOf("histogram_quantile(0.95, sum(rate(a[1h30m])) without (instance)) > Inf")).toEqual(["a"]);
  });
  test("an unknown function or an unclosed matcher is an error", () => {
    expect(() => metricNamesOf("made_up(x)")).toThrow(PromQLError);
    expect(() => metricNamesOf('x{job="a"')).toThrow(PromQLError);
  });
  test("histogram series are known through their histogram, other suffixes are not", () => {
    expect(knownMetric("gha_job_startup_duration_seconds_bucket")).toBe(true);
    expect(knownMetric("gha_assigned_jobs_count")).toBe(false);
    expect(knownMetric("kube_pod_status_ready")).toBe(false);
  });
});

/** Every expression a synth carries: rules, Grafana panels, Cloud Monitoring tiles. */
function expressions(s: S): string[] {
  const out: string[] = [];
  for (const o of manifests(s).filter((m) => m.kind === "Rules" || m.kind === "PrometheusRule")) out.push(...rulesOf(o).map((r) => r.expr));
  for (const cm of Object.values(resources(stack(s, "-runners"), "kubernetes_config_map_v1")) as any[]) {
    for (const v of Object.values(cm.data) as string[]) for (const p of JSON.parse(v).panels) out.push(...p.targets.map((t: any) => t.expr));
  }
  const cluster = Object.keys(s.stacks).find((n) => n.endsWith("-cluster"));
  for (const d of Object.values(cluster ? resources(s.stacks[cluster], "google_monitoring_dashboard") : {}) as any[]) {
    for (const t of JSON.parse(d.dashboard_json).mosaicLayout.tiles) out.push(...t.widget.xyChart.dataSets.map((x: any) => x.timeSeriesQuery.prometheusQuery));
  }
  return out;
}

describe.each([
  ["gke (default)", {}],
  ["gke, statefulset engines", { dagger: { engine: { mode: "statefulset", cache: { size: "200Gi" } } } }],
  ["existing cluster, prometheus-operator", OPERATOR],
  ["gke, two versions", { dagger: { versions: ["0.19.11", "0.20.3"] } }],
])("%s", (_name, raw) => {
  const s = synthConfig(raw);
  const { plan } = parseConfig(raw);
  const exprs = expressions(s);

  test("rules and dashboard exist and read only cited metric names", () => {
    expect(exprs.length).toBeGreaterThan(10);
    for (const e of exprs) for (const n of metricNamesOf(e)) expect([e, n, knownMetric(n)]).toEqual([e, n, true]);
  });

  test("engine metrics are read only where every deployed engine serves them", () => {
    const versions = plan.engines.map((e) => e.version).filter(engineServesMetrics);
    for (const e of exprs) {
      for (const n of metricNamesOf(e)) {
        const m = METRIC_NAMES.find((x) => x.name === n);
        if (m?.since) for (const v of versions) expect([n, v, engineServesMetrics(v) && !(m.since > v)]).toEqual([n, v, true]);
      }
    }
  });

  test("every job a rule selects is a synthesized scrape object's, and the rules validate against the CRDs", () => {
    const scrapes = manifests(s).filter((m) => m.kind === "PodMonitoring" || m.kind === "PodMonitor");
    const rules = manifests(s).filter((m) => m.kind === "Rules" || m.kind === "PrometheusRule");
    expect(rules.length).toBeGreaterThan(0);
    const findings: string[] = [];
    checkRuleObjects(
      rules.map((o) => ({ ref: o.metadata.name, object: o })),
      scrapes.map((o) => ({ ref: o.metadata.name, object: o })),
      (_r, f, m) => findings.push(`${f}: ${m}`),
    );
    expect(findings).toEqual([]);
    const schemas = new KubeSchemas();
    schemas.addChartCrds(monitoringCrdsDir());
    for (const o of rules) expect(schemas.validate(o)).toEqual([]);
  });
});

describe("gke: managed Prometheus Rules and a Cloud Monitoring dashboard", () => {
  const s = synthConfig({});
  test("one Rules per namespace holding targets, selecting the PodMonitoring names", () => {
    const rules = ofKind(s, "Rules");
    expect(rules.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(["arc-systems/dagger-runners-alerts", "dagger-engines/dagger-runners-alerts"]);
    const arc = rules.find((o) => o.metadata.namespace === "arc-systems");
    expect(rulesOf(arc).map((r) => r.alert)).toEqual([
      "DaggerRunnersJobsWaiting",
      "DaggerRunnersFailedRunners",
      "DaggerRunnersListenerDown",
      "DaggerRunnersListenersMissing",
      "DaggerRunnersPendingWithJobsWaiting",
      "DaggerRunnersAtMaxRunners",
    ]);
    const jobs = new Set(rulesOf(arc).flatMap((r) => jobsOf(r.expr)));
    expect([...jobs].sort()).toEqual(["dagger-runners-arc-controller", "dagger-runners-arc-listeners"]);
    // three scale sets (v0.20.3, v0.20, latest): three listeners must answer
    expect(rulesOf(arc).find((r) => r.alert === "DaggerRunnersListenersMissing")!.expr).toMatch(/< 3$/);
    const engines = rules.find((o) => o.metadata.namespace === "dagger-engines");
    expect(rulesOf(engines).map((r) => r.alert)).toEqual(["DaggerEngineDown", "DaggerEngineRestarting"]);
    expect(rulesOf(engines)[0].expr).toBe('up{job="dagger-runners-v0-20-3"} == 0 or absent(up{job="dagger-runners-v0-20-3"})');
  });

  test("the cluster stack has the dashboard, filtered on the cluster and the scrape objects' jobs", () => {
    const [d] = Object.values(resources(stack(s, "-cluster"), "google_monitoring_dashboard")) as any[];
    const json = JSON.parse(d.dashboard_json);
    const titles = json.mosaicLayout.tiles.map((t: any) => t.widget.title);
    expect(titles).toEqual(expect.arrayContaining(["Jobs queued (assigned, not running) per label", "Jobs running per label", "Job wait (queued to started) per label", "Job duration per label", "Engines answering"]));
    const queries: string[] = json.mosaicLayout.tiles.flatMap((t: any) => t.widget.xyChart.dataSets.map((x: any) => x.timeSeriesQuery.prometheusQuery));
    for (const q of queries) expect(q).toContain('cluster="dagger-runners"');
    expect(queries).toContain('histogram_quantile(0.95, sum by (scale_set, le) (rate(gha_job_startup_duration_seconds_bucket{cluster="dagger-runners", job="dagger-runners-arc-listeners"}[15m])))');
  });

  test("thresholds and alert labels change the rules", () => {
    const t = synthConfig({ monitoring: { alerts: { jobWaitMinutes: 30, failedRunners: 3, engineRestarts: 5, labels: { severity: "page" } } } });
    const all = ofKind(t, "Rules").flatMap(rulesOf);
    const r = (a: string) => all.find((x) => x.alert === a)!;
    expect(r("DaggerRunnersJobsWaiting").for).toBe("30m");
    expect(r("DaggerRunnersFailedRunners").expr).toMatch(/>= 3$/);
    expect(r("DaggerEngineRestarting").expr).toMatch(/>= 5$/);
    for (const x of all) expect(x.labels).toEqual({ severity: "page" });
  });

  test("statefulset engines get a cache alert at the percent of their volume", () => {
    const t = synthConfig({ dagger: { engine: { mode: "statefulset", cache: { size: "200Gi" } } }, monitoring: { alerts: { engineCachePercent: 50 } } });
    const r = ofKind(t, "Rules").flatMap(rulesOf).find((x) => x.alert === "DaggerEngineCacheNearlyFull")!;
    expect(r.expr).toBe(`dagger_local_cache_total_disk_size_bytes{job="dagger-runners-v0-20-3"} > ${100 * 2 ** 30}`);
  });

  test("alerts.enabled false and dashboard false remove them", () => {
    const t = synthConfig({ monitoring: { alerts: { enabled: false }, dashboard: false } });
    expect(ofKind(t, "Rules")).toEqual([]);
    expect(resources(stack(t, "-cluster"), "google_monitoring_dashboard")).toEqual({});
    expect(ofKind(t, "PodMonitoring")).toHaveLength(3);
  });
});

describe("existing cluster, Prometheus Operator: a PrometheusRule and a Grafana ConfigMap", () => {
  const s = synthConfig(OPERATOR);
  test("one PrometheusRule selecting <namespace>/<PodMonitor> jobs, labelled for the ruleSelector", () => {
    const [rule, ...more] = ofKind(s, "PrometheusRule");
    expect(more).toEqual([]);
    expect(rule.metadata).toEqual({ name: "dagger-runners-alerts", namespace: "arc-systems", labels: { "app.kubernetes.io/part-of": "cdktf-dagger-runners", release: "kps" } });
    const monitors = ofKind(s, "PodMonitor").map((m) => `${m.metadata.namespace}/${m.metadata.name}`);
    const jobs = new Set(rulesOf(rule).flatMap((r) => jobsOf(r.expr)));
    expect([...jobs].sort()).toEqual([...monitors].sort());
  });

  test("the Grafana dashboard ConfigMap carries grafana_dashboard: 1 and the panels", () => {
    const [cm] = Object.values(resources(stack(s, "-runners"), "kubernetes_config_map_v1")) as any[];
    expect(cm.metadata.labels).toEqual({ "app.kubernetes.io/part-of": "cdktf-dagger-runners", release: "kps", grafana_dashboard: "1" });
    const json = JSON.parse(cm.data["dagger-runners-dashboard.json"]);
    expect(json.panels.map((p: any) => p.title)).toContain("Job wait (queued to started) per label");
    expect(json.panels[0].targets[0].expr).toBe('sum by (name) (gha_assigned_jobs{job="arc-systems/dagger-runners-arc-listeners"}) - sum by (name) (gha_running_jobs{job="arc-systems/dagger-runners-arc-listeners"})');
  });
});

test("verify reads RE2's (?i) in CRD patterns (PrometheusRule partial_response_strategy)", () => {
  const re = new RegExp(goPattern("^(?i)(abort|warn)?$"), "u");
  expect([re.test("Abort"), re.test("WARN"), re.test(""), re.test("other")]).toEqual([true, true, true, false]);
});

describe("collector none and mismatches warn", () => {
  test("alert keys under collector none are ignored with a warning, nothing is created", () => {
    const raw = { target: "existing-cluster", github: PAT, monitoring: { alerts: { jobWaitMinutes: 20 }, dashboard: true } };
    const { plan } = parseConfig(raw);
    expect(plan.warnings).toContain('monitoring.alerts: jobWaitMinutes ignored: monitoring.collector is "none", so no alert rules are created');
    expect(plan.warnings).toContain('monitoring.dashboard: true is ignored: monitoring.collector is "none", so no dashboard is created');
    const s = synthConfig(raw);
    expect(manifests(s).filter((m) => m.kind === "PrometheusRule" || m.kind === "Rules")).toEqual([]);
  });
  test("existing cluster with gke-managed: rules, but the dashboard needs the cluster stack", () => {
    const raw = { target: "existing-cluster", github: PAT, monitoring: { collector: "gke-managed", dashboard: true } };
    const { plan } = parseConfig(raw);
    expect(plan.alerts.objects.length).toBe(2);
    expect(plan.warnings).toContain('monitoring.dashboard: true is ignored: the Cloud Monitoring dashboard is created by the cluster stack, which target "existing-cluster" has not');
  });
  test("a verify finding names a rule selecting an unknown job or metric", () => {
    const findings: string[] = [];
    const rule = { apiVersion: "monitoring.googleapis.com/v1", kind: "Rules", metadata: { name: "r", namespace: "arc-systems" }, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: 'kube_pod_status_ready{job="elsewhere"} == 0' }] }] } };
    const scrape = { apiVersion: "monitoring.googleapis.com/v1", kind: "PodMonitoring", metadata: { name: "here", namespace: "arc-systems" }, spec: {} };
    checkRuleObjects([{ ref: "kubernetes_manifest.r", object: rule as any }], [{ ref: "kubernetes_manifest.s", object: scrape as any }], (_r, f, m) => findings.push(`${f}: ${m}`));
    expect(findings).toEqual([
      "kubernetes_manifest.r spec.groups[0].rules[0].expr: A reads kube_pod_status_ready, which is not in the cited metric list (lib/planning/metric-names.ts)",
      'kubernetes_manifest.r spec.groups[0].rules[0].expr: A selects job "elsewhere", which no scrape object in namespace arc-systems gives its series (jobs: here)',
    ]);
  });
});
