/** Test helpers for the GitHub runner layer: engine specs from the engine planning and a one-stack synth. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { parseConfig } from "../lib/config/load";
import type { EngineConnectionSpec, EngineTransport } from "../lib/engine-spec";
import { HelmProvider } from "../lib/imports/helm";
import { KubernetesProvider } from "../lib/imports/kubernetes";
import { RunnerNamespaces } from "../lib/constructs/runner-namespaces";
import { GithubRunners } from "../lib/constructs/github-runners";
import { githubRunnersPropsFromPlan } from "../lib/stacks/layer-props";
import { CLIENT_CLOUD_TOKEN_KEY, DEFAULT_CLIENT_CLOUD_SECRET, planEngineNames, planEngineSpec } from "../lib/planning/engines";
import { parseVersionList } from "../lib/planning/versions";
import { DEFAULT_ENGINES_NAMESPACE } from "../lib/planning/defaults";

/**
 * The connection spec the engine layer gives for `version` over `transport` (the real planning
 * functions: kube-pod on a StatefulSet, unix and tcp on a DaemonSet, default names and namespace,
 * a Dagger Cloud Secret), with `extra` on top for the tests that break one field.
 */
export function engineSpec(version: string, transport: EngineTransport, extra: Partial<EngineConnectionSpec> = {}): EngineConnectionSpec {
  const mode = transport === "kube-pod" ? "statefulset" : "daemonset";
  const [names] = planEngineNames("dagger-runners", parseVersionList([version]), mode);
  const spec = planEngineSpec(names, {
    mode,
    transport,
    namespace: DEFAULT_ENGINES_NAMESPACE,
    cloudTokenSecret: { name: DEFAULT_CLIENT_CLOUD_SECRET, key: CLIENT_CLOUD_TOKEN_KEY },
  });
  return { ...spec, ...extra };
}

export interface RunnersSynth {
  /** Parsed cdk.tf.json of the test stack. */
  readonly stack: any;
  /** Every file of the synth output, concatenated. */
  readonly allText: string;
  readonly runners: GithubRunners;
  readonly namespaces: RunnerNamespaces;
  /** The plan's one warnings list (the runner layer's warnings are planned, not annotated). */
  readonly warnings: readonly string[];
}

/** Validates `raw`, builds namespaces + GithubRunners against `engines` in one stack and synthesizes it (validations on). */
export function synthRunners(raw: unknown, engines: (versions: string[]) => EngineConnectionSpec[]): RunnersSynth {
  const { config, plan } = parseConfig(raw);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-runners-test-"));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "runners");
    new KubernetesProvider(stack, "kubernetes", { configPath: "~/.kube/config" });
    new HelmProvider(stack, "helm", { kubernetes: { configPath: "~/.kube/config" } });
    const namespaces = new RunnerNamespaces(stack, "namespaces", {
      controllerNamespace: config.arc.namespace,
      runnersNamespace: config.runners.namespace,
      create: config.runners.createNamespaces,
    });
    const runners = new GithubRunners(stack, "github", githubRunnersPropsFromPlan(config, plan, namespaces, engines(plan.runners.versions.map((v) => v.text))));
    app.synth();
    const file = path.join(outdir, "stacks", "runners", "cdk.tf.json");
    const stackJson = JSON.parse(fs.readFileSync(file, "utf8"));
    return { stack: stackJson, allText: readAll(outdir), runners, namespaces, warnings: plan.warnings };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every file under `dir`, concatenated. */
export function readAll(dir: string): string {
  let out = "";
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out += e.isDirectory() ? readAll(p) : fs.readFileSync(p, "utf8");
  }
  return out;
}

/** Scale-set releases (chart gha-runner-scale-set) keyed by release name. */
export function scaleSetReleases(stack: any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const r of Object.values<any>(stack.resource?.helm_release ?? {})) {
    if (r.chart === "gha-runner-scale-set") out[r.name] = r;
  }
  return out;
}

export function controllerRelease(stack: any): any {
  return Object.values<any>(stack.resource?.helm_release ?? {}).find((r) => r.chart === "gha-runner-scale-set-controller");
}
