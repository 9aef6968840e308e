/**
 * Metrics, collected (issue 15, part 1): ARC controller and listener metrics on by default, the
 * engines' Prometheus endpoint where the engine version reads it, and one scrape object per
 * target for the chosen collector, checked against the pod labels and port names the real charts
 * render (and ARC's listener pods, modelled from its source) when helm and the charts are here.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthDeployment } from "../lib/app";
import { parseConfig } from "../lib/config/load";
import { formatFinding, verify } from "../lib/verify";
import { LISTENER_METRICS } from "../lib/planning/monitoring";
import { ARC_METRICS_VERSION, METRIC_NAMES, engineServesMetrics } from "../lib/planning/metric-names";
import { configError, helmValues, resources, synthConfig } from "./util";

const PAT = { configUrl: "https://github.com/acme", pat: true };
const EXISTING = { target: "existing-cluster", github: PAT };

const runners = (s: ReturnType<typeof synthConfig>) => s.stacks[Object.keys(s.stacks).find((n) => n.endsWith("-runners"))!];
const releases = (s: ReturnType<typeof synthConfig>) => Object.values(resources(runners(s), "helm_release")) as any[];
const manifests = (s: ReturnType<typeof synthConfig>) => Object.values(resources(runners(s), "kubernetes_manifest")).map((r: any) => r.manifest);
const byChart = (s: ReturnType<typeof synthConfig>, chart: string) => releases(s).filter((r) => r.chart === chart);
const engineEnv = (r: any) => (helmValues(r).engine.env ?? []) as { name: string; value?: string }[];

describe("metrics on by default", () => {
  const s = synthConfig({});
  test("the controller chart gets the metrics addresses, every scale set the listener metrics", () => {
    const [controller] = byChart(s, "gha-runner-scale-set-controller");
    expect(helmValues(controller).metrics).toEqual({ controllerManagerAddr: ":8080", listenerAddr: ":8080", listenerEndpoint: "/metrics" });
    const sets = byChart(s, "gha-runner-scale-set");
    expect(sets).toHaveLength(3);
    for (const r of sets) expect(Object.keys(helmValues(r).listenerMetrics.gauges)).toContain("gha_assigned_jobs");
  });

  test("the 0.20.3 engine serves metrics on 0.0.0.0:9090 and declares the port metrics", () => {
    const [engine] = byChart(s, "dagger-helm");
    expect(engineEnv(engine)).toContainEqual({ name: "_EXPERIMENTAL_DAGGER_METRICS_ADDR", value: "0.0.0.0:9090" });
    expect(helmValues(engine).engine.containerPorts).toEqual([{ name: "metrics", containerPort: 9090, protocol: "TCP" }]);
  });

  test("gke: managed collection is on in the cluster and one PodMonitoring per target", () => {
    const cluster = s.stacks["dagger-runners-cluster"];
    const gke = Object.values(resources(cluster, "google_container_cluster"))[0] as any;
    expect(gke.monitoring_config.managed_prometheus.enabled).toBe(true);
    const objs = manifests(s).filter((m) => m.kind === "PodMonitoring");
    expect(objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      "arc-systems/dagger-runners-arc-controller",
      "arc-systems/dagger-runners-arc-listeners",
      "dagger-engines/dagger-runners-v0-20-3",
    ]);
    const listeners = objs.find((o) => o.metadata.name === "dagger-runners-arc-listeners");
    // ARC 0.14.2 resourcebuilder.go newAutoScalingListener / listenerMetricsServerConfig.containerPort
    expect(listeners.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/part-of": "gha-runner-scale-set", "app.kubernetes.io/component": "runner-scale-set-listener" });
    expect(listeners.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s" }]);
    expect(listeners.spec.targetLabels.fromPod).toEqual([{ from: "actions.github.com/scale-set-name", to: "scale_set" }]);
    const engine = objs.find((o) => o.metadata.namespace === "dagger-engines");
    expect(engine.spec.selector.matchLabels).toEqual({ name: "dagger-runners-v0-20-3-dagger-helm-engine" });
  });
});

describe("collectors", () => {
  test("existing cluster: no collector by default, the endpoints are still served", () => {
    const s = synthConfig(EXISTING);
    expect(manifests(s).filter((m) => /Pod?Monitor/.test(m.kind))).toEqual([]);
    expect(engineEnv(byChart(s, "dagger-helm")[0]).map((e) => e.name)).toContain("_EXPERIMENTAL_DAGGER_METRICS_ADDR");
  });

  test("prometheus-operator: PodMonitors with the configured labels, interval and relabelled pod labels", () => {
    const s = synthConfig({ ...EXISTING, monitoring: { collector: "prometheus-operator", scrapeInterval: "1m", labels: { release: "kps" } } });
    const objs = manifests(s).filter((m) => m.kind === "PodMonitor");
    expect(objs).toHaveLength(3);
    for (const o of objs) {
      expect(o.apiVersion).toBe("monitoring.coreos.com/v1");
      expect(o.metadata.labels.release).toBe("kps");
      expect(o.spec.podMetricsEndpoints[0].interval).toBe("1m");
      expect(o.spec.namespaceSelector).toEqual({ matchNames: [o.metadata.namespace] });
    }
    const listeners = objs.find((o) => o.metadata.name.endsWith("-arc-listeners"));
    expect(listeners.spec.podMetricsEndpoints[0].relabelings).toEqual([
      { action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_actions_github_com_scale_set_name"], targetLabel: "scale_set" },
    ]);
  });

  test("arc.metrics false: the controller chart gets no metrics, no scale set listenerMetrics, only engines are scraped", () => {
    const s = synthConfig({ arc: { metrics: false } });
    expect(helmValues(byChart(s, "gha-runner-scale-set-controller")[0]).metrics).toBeUndefined();
    for (const r of byChart(s, "gha-runner-scale-set")) expect(helmValues(r).listenerMetrics).toBeUndefined();
    expect(manifests(s).filter((m) => m.kind === "PodMonitoring").map((m) => m.metadata.namespace)).toEqual(["dagger-engines"]);
  });

  test("monitoring.engineMetrics false: no engine env, no engine target", () => {
    const s = synthConfig({ monitoring: { engineMetrics: false } });
    expect(helmValues(byChart(s, "dagger-helm")[0]).engine.env).toBeUndefined();
    expect(manifests(s).filter((m) => m.metadata?.namespace === "dagger-engines" && m.kind === "PodMonitoring")).toEqual([]);
  });

  test("keys that change nothing with collector none are warned about", () => {
    const { plan } = parseConfig({ ...EXISTING, monitoring: { scrapeInterval: "15s", labels: { a: "b" } } });
    expect(plan.warnings).toContain('monitoring.scrapeInterval: "15s" is ignored: monitoring.collector is "none", so nothing is scraped');
    expect(plan.warnings).toContain('monitoring.labels: {"a":"b"} is ignored: monitoring.collector is "none", so no scrape object is created');
  });

  test("one-line errors: a bad interval, a collector outside the list, the engine port on the metrics port", () => {
    const err = configError;
    expect(err({ monitoring: { scrapeInterval: "30" } })).toBe('monitoring.scrapeInterval: "30" is not an interval (expected seconds or minutes, e.g. "30s" or "1m")');
    expect(err({ monitoring: { collector: "datadog" } })).toMatch(/^monitoring\.collector: "datadog" .*gke-managed.*prometheus-operator.*none/);
    expect(err({ dagger: { engine: { transport: "tcp", port: 9090 } } })).toBe(
      "dagger.engine.port: 9090 conflicts with the engines' metrics port 9090 (choose another port, or set monitoring.engineMetrics: false)",
    );
    for (const m of [err({ monitoring: { scrapeInterval: "30" } }), err({ monitoring: { collector: "datadog" } })]) expect(m).not.toContain("\n");
  });
});

describe("engine versions", () => {
  // dagger/dagger cmd/engine/main.go reads _EXPERIMENTAL_DAGGER_METRICS_ADDR from v0.18.11 (not in v0.18.10).
  test("the env var is set only where the engine reads it", () => {
    expect([engineServesMetrics("0.18.10"), engineServesMetrics("0.18.11"), engineServesMetrics("0.20.3")]).toEqual([false, true, true]);
    const s = synthConfig({ dagger: { versions: ["0.17.0", "0.18.19", "0.20.3"] } });
    const env = Object.fromEntries(byChart(s, "dagger-helm").map((r) => [r.version, engineEnv(r).map((e) => e.name)]));
    expect(env["0.17.0"]).not.toContain("_EXPERIMENTAL_DAGGER_METRICS_ADDR");
    expect(env["0.18.19"]).toContain("_EXPERIMENTAL_DAGGER_METRICS_ADDR");
    const { plan } = parseConfig({ dagger: { versions: ["0.17.0", "0.20.3"] } });
    expect(plan.warnings).toContain("monitoring.engineMetrics: engine 0.17.0 serves no Prometheus metrics (engines read _EXPERIMENTAL_DAGGER_METRICS_ADDR from 0.18.11): not scraped");
  });

  test("charts before 0.19.1 cannot declare the port: Managed Prometheus scrapes the number, Prometheus Operator warns", () => {
    const s = synthConfig({ dagger: { versions: ["0.18.19"] } });
    const [engine] = byChart(s, "dagger-helm");
    expect(helmValues(engine).engine.containerPorts).toBeUndefined();
    const target = manifests(s).find((m) => m.kind === "PodMonitoring" && m.metadata.namespace === "dagger-engines");
    expect(target.spec.endpoints[0].port).toBe(9090);
    const { plan } = parseConfig({ ...EXISTING, dagger: { versions: ["0.18.19"] }, monitoring: { collector: "prometheus-operator" } });
    expect(plan.monitoring.targets.filter((t) => t.what === "dagger-engine")).toEqual([]);
    expect(plan.warnings.some((w) => w.startsWith("monitoring.collector: engine 0.18.19 is not scraped"))).toBe(true);
  });

  test("tcp: the engine keeps its dagger port beside metrics, and the NetworkPolicy admits the metrics port", () => {
    const s = synthConfig({ dagger: { engine: { mode: "statefulset", transport: "tcp" } } });
    expect(helmValues(byChart(s, "dagger-helm")[0]).engine.containerPorts).toEqual([
      { name: "dagger", containerPort: 1234, protocol: "TCP" },
      { name: "metrics", containerPort: 9090, protocol: "TCP" },
    ]);
    const [policy] = Object.values(resources(runners(s), "kubernetes_network_policy_v1")) as any[];
    expect(policy.spec.ingress[1]).toEqual({ ports: [{ port: "9090", protocol: "TCP" }] });
    expect(policy.spec.ingress[0].ports).toEqual([{ port: "1234", protocol: "TCP" }]);
  });

  test("the metric list was read at the ARC version deployed by default", () => {
    expect(parseConfig({ gcp: { projectId: "my-proj-123" } }).config.arc.version).toBe(ARC_METRICS_VERSION);
  });

  test("listenerMetrics names only metrics ARC 0.14.2's listener defines", () => {
    const listener = new Set(METRIC_NAMES.filter((m) => m.source === "arc-listener").map((m) => m.name));
    const names = [...Object.keys(LISTENER_METRICS.counters), ...Object.keys(LISTENER_METRICS.gauges), ...Object.keys(LISTENER_METRICS.histograms)];
    expect(names.filter((n) => !listener.has(n))).toEqual([]);
    expect(names).toHaveLength(listener.size);
  });
});

// --- Against the real charts ------------------------------------------------------------------
const SHARED = process.env.DAGGER_RUNNERS_SHARED ?? path.resolve(__dirname, "..", "..", "shared");
const CHARTS = process.env.DAGGER_RUNNERS_CHARTS ?? path.join(SHARED, "charts");
function helm(): string | undefined {
  if (process.env.HELM) return process.env.HELM;
  const installer = path.join(SHARED, "tools", "install-helm.sh");
  if (!fs.existsSync(CHARTS) || !fs.existsSync(installer)) return undefined;
  try {
    return execFileSync(installer, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 120_000 }).trim().split("\n").pop();
  } catch {
    return undefined;
  }
}
const HELM = helm();
if (!HELM) process.stderr.write("monitoring chart tests skipped: no helm or no upstream charts\n");
const describeCharts = HELM ? describe : describe.skip;

describeCharts("scrape objects against the rendered charts (npm run verify)", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const synth = (raw: object, edit?: (stack: any) => void) => {
    const { config, plan } = parseConfig(raw);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "monitoring-test-"));
    dirs.push(dir);
    synthDeployment(config, plan, dir);
    if (edit) {
      const name = fs.readdirSync(path.join(dir, "stacks")).find((n) => n.endsWith("-runners"))!;
      const file = path.join(dir, "stacks", name, "cdk.tf.json");
      const stack = JSON.parse(fs.readFileSync(file, "utf8"));
      edit(stack);
      fs.writeFileSync(file, JSON.stringify(stack));
    }
    return dir;
  };
  const findings = async (dir: string) => (await verify({ outdir: dir, chartsDir: CHARTS, helm: HELM! })).findings.map(formatFinding);
  const scrape = (stack: any, name: RegExp) => Object.values(stack.resource.kubernetes_manifest as Record<string, any>).find((r) => name.test(r.manifest.metadata.name)).manifest;

  test.each([
    ["gke-managed, two engine versions", { github: PAT, dagger: { versions: ["0.19.11", "0.20.3"] } }],
    ["prometheus-operator, tcp statefulset", { ...EXISTING, dagger: { engine: { mode: "statefulset", transport: "tcp" } }, monitoring: { collector: "prometheus-operator" } }],
    ["gke-managed, a chart without containerPorts", { github: PAT, dagger: { versions: ["0.18.19"] } }],
  ])("%s: no findings", async (_, raw) => {
    expect(await findings(synth(raw))).toEqual([]);
  }, 120_000);

  test("a wrong port name, a selector matching nothing and an unscraped engine are findings", async () => {
    const dir = synth({ github: PAT }, (stack) => {
      scrape(stack, /-arc-listeners$/).spec.endpoints[0].port = "http";
      scrape(stack, /-arc-controller$/).spec.selector.matchLabels["app.kubernetes.io/component"] = "manager";
      const engine = Object.entries(stack.resource.kubernetes_manifest as Record<string, any>).find(([, r]) => r.manifest.kind === "PodMonitoring" && r.manifest.metadata.namespace === "dagger-engines")![0];
      delete stack.resource.kubernetes_manifest[engine];
    });
    const f = await findings(dir);
    expect(f.some((x) => /spec\.endpoints\[0\]\.port: "http" is not a port of the listener pod of dagger-v0\.20\.3 \(declared: metrics\)/.test(x))).toBe(true);
    expect(f.some((x) => /-arc-controller spec\.selector: .*selects no pod in namespace arc-systems/.test(x))).toBe(true);
    expect(f.some((x) => /engine pod of DaemonSet\/dagger-runners-v0-20-3-dagger-helm-engine port 9090: serves metrics that no scrape object/.test(x))).toBe(true);
    // The engines' alert rules now select a job no scrape object gives (lib/verify/rules.ts).
    expect(f.some((x) => /DaggerEngineDown selects job "dagger-runners-v0-20-3", which no scrape object in namespace dagger-engines gives its series/.test(x))).toBe(true);
  }, 120_000);
});
