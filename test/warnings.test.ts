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

describe("accepted keys that change nothing in the chosen mode warn that they are ignored", () => {
  const warn = (raw: object) => parseConfig(raw).plan.warnings.filter((w) => w.includes(" is ignored: "));
  test.each([
    [
      "VPA settings with the VPA off",
      { dagger: { engine: { vpa: { updateMode: "Initial", maxAllowed: { memory: "16Gi" } } } } },
      [
        'dagger.engine.vpa.updateMode: "Initial" is ignored: dagger.engine.vpa.enabled is false, so no VerticalPodAutoscaler is created',
        'dagger.engine.vpa.maxAllowed: {"memory":"16Gi"} is ignored: dagger.engine.vpa.enabled is false, so no VerticalPodAutoscaler is created',
      ],
    ],
    [
      "the socket wait without the unix transport",
      { dagger: { engine: { mode: "statefulset" } }, runners: { engineWaitSeconds: 60 } },
      ['runners.engineWaitSeconds: 60 is ignored: only unix runners wait for their node\'s engine socket (the transport is "kube-pod")'],
    ],
    [
      "kubectl settings without kube-pod and without the cleanup job",
      { runners: { kubectlImage: "registry.k8s.io/kubectl:v1.35.0", kubectlPath: "/usr/bin/kubectl", cleanup: { enabled: false, schedule: "@daily" } } },
      [
        'runners.kubectlImage: "registry.k8s.io/kubectl:v1.35.0" is ignored: kubectl runs only in kube-pod runners and the cleanup job, and this deployment has neither (transport "unix", runners.cleanup.enabled false)',
        'runners.kubectlPath: "/usr/bin/kubectl" is ignored: kubectl runs only in kube-pod runners and the cleanup job, and this deployment has neither (transport "unix", runners.cleanup.enabled false)',
        'runners.cleanup.schedule: "@daily" is ignored: runners.cleanup.enabled is false',
      ],
    ],
  ])("%s", (_name, raw, want) => {
    expect(warn(raw)).toEqual(want);
  });

  test.each([
    ["VPA settings with the VPA on", { dagger: { engine: { vpa: { enabled: true, updateMode: "Initial" } } } }],
    ["the socket wait with unix", { runners: { engineWaitSeconds: 60 } }],
    ["kubectl settings with the cleanup job", { runners: { kubectlPath: "/usr/bin/kubectl" } }],
    ["kubectl settings with kube-pod", { dagger: { engine: { mode: "statefulset" } }, runners: { kubectlPath: "/usr/bin/kubectl", cleanup: { enabled: false } } }],
    ["nothing set", {}],
  ])("no warning: %s", (_name, raw) => {
    expect(warn(raw)).toEqual([]);
  });
});
