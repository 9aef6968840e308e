/**
 * One warnings channel: the plan's list, shown exactly once by the report (text and JSON) and by
 * plain `cdktf synth` (the runners stack's annotations); no construct adds one of its own.
 */
import { App, Testing } from "cdktf";
import { parseConfig } from "../lib/config/load";
import { buildStacks } from "../lib/app";
import { renderReport, reportJson } from "../lib/report";

const CONFIGS: Record<string, object> = {
  "default (placeholders, no credentials)": {},
  "tcp on an existing cluster (NetworkPolicy unknown, no authentication)": {
    target: "existing-cluster",
    github: { configUrl: "https://ghe.example.com/acme", pat: true },
    arc: { labelStrategy: "multi-label" },
    dagger: { engine: { mode: "statefulset", transport: "tcp", vpa: { enabled: true, updateMode: "Recreate" } } },
    runners: { createNamespaces: false },
  },
  "gke: spot engines pool, queueing, pinned image outside the mirror": {
    gcp: { projectId: "my-project" },
    github: { configUrl: "https://github.com/acme", existingSecretName: "gh" },
    dagger: { engine: { mode: "statefulset" } },
    cluster: { nodePools: { runners: { maxNodes: 1 }, engines: { spot: true } } },
    runners: { maxRunners: 50, image: "ghcr.io/acme/runner:1" },
    mirrors: { images: { registry: "registry.corp.example/mirror" } },
  },
};

describe.each(Object.entries(CONFIGS))("%s", (_name, raw) => {
  const { config, plan } = parseConfig(raw);
  const app = Testing.app() as App;
  buildStacks(app, config, plan);
  const annotated = app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => ({ path: c.node.path, text: String(m.data) })));

  test("there are warnings to show, each once in the plan", () => {
    expect(plan.warnings.length).toBeGreaterThanOrEqual(2);
    expect(new Set(plan.warnings).size).toBe(plan.warnings.length);
  });

  test("cdktf synth: the runners stack annotates each exactly once, no construct adds its own", () => {
    expect(annotated.map((a) => a.text)).toEqual(plan.warnings);
    expect(new Set(annotated.map((a) => a.path))).toEqual(new Set([plan.stacks.runners]));
  });

  test("the report and its JSON show each exactly once", () => {
    const text = renderReport(plan);
    for (const w of plan.warnings) expect(text.split(w).length - 1).toBe(1);
    expect((JSON.parse(JSON.stringify(reportJson("x", plan))) as { warnings: string[] }).warnings).toEqual(plan.warnings);
  });
});
