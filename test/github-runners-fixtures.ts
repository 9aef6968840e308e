/** Test helpers for the GitHub runner layer: hand-written engine specs and a one-stack synth. */
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

/** An engine spec as the engine layer would give it (dagger/dagger helm/dagger naming). */
export function engineSpec(version: string, transport: EngineTransport, extra: Partial<EngineConnectionSpec> = {}): EngineConnectionSpec {
  const release = `dagger-runners-v${version.replace(/\./g, "-")}`;
  const fullname = `${release}-dagger-helm`;
  const base = {
    version,
    transport,
    image: `registry.dagger.io/engine:v${version}`,
    cliPath: "/usr/local/bin/dagger",
    namespace: "dagger",
    releaseName: release,
    cloudTokenSecret: { name: "dagger-cloud", key: "token" },
  };
  const byTransport: Record<EngineTransport, Partial<EngineConnectionSpec>> = {
    unix: {
      runnerHost: "unix:///run/dagger/engine.sock",
      waitForEngine: true,
      hostSocketDir: `/run/dagger-${fullname}`,
      socketMountPath: "/run/dagger",
    },
    "kube-pod": {
      runnerHost: `kube-pod://${fullname}-engine-0?namespace=dagger`,
      waitForEngine: false,
      serviceAccountName: "dagger-runner",
    },
    tcp: {
      runnerHost: `tcp://${fullname}-engine.dagger.svc.cluster.local:1234`,
      waitForEngine: false,
      clientPodLabels: { "dagger.io/engine-client": "true" },
    },
  };
  return { ...base, ...byTransport[transport], ...extra } as EngineConnectionSpec;
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
    const runners = new GithubRunners(stack, "github", {
      github: config.github,
      arc: config.arc,
      runners: config.runners,
      plan,
      namespaces,
      engines: engines(plan.runners.versions.map((v) => v.text)),
    });
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
