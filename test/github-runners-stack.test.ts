/** The GitHub layer wired into the `<name>-runners` stack with the real engine construct. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfig } from "../lib/config/load";
import { synthDeployment } from "../lib/app";
import { configError, helmValues, synthConfig, Synthesized } from "./util";
import { readAll, scaleSetReleases } from "./github-runners-fixtures";

const github = { configUrl: "https://github.com/acme", app: { id: 1, installationId: 2 } };

describe("runners stack, daemonset engines (unix), multi-label", () => {
  let s: Synthesized;
  let stack: any;
  beforeAll(() => {
    s = synthConfig({ target: "existing-cluster", github, arc: { labelStrategy: "multi-label" }, dagger: { versions: ["0.19.10", "0.20.3"] } });
    stack = s.stacks["dagger-runners-runners"];
  });

  test("runner_labels output is the real scale sets' labels (a set with aliases: its scaleSetLabels; its hashed name is not a runs-on label)", () => {
    const sets = Object.values(scaleSetReleases(stack)).map((r) => helmValues(r));
    const fromSets: Record<string, true> = {};
    for (const v of sets) {
      const labels = v.scaleSetLabels?.length ? v.scaleSetLabels : [v.runnerScaleSetName];
      if (v.scaleSetLabels?.length) expect(v.runnerScaleSetName).toMatch(new RegExp(`^${v.scaleSetLabels[0].replace(/\./g, "\\.")}-[0-9a-f]{6}$`));
      for (const l of labels) fromSets[l] = true;
    }
    expect(Object.keys(stack.output.runner_labels.value).sort()).toEqual(Object.keys(fromSets).sort());
    expect(stack.output.runner_labels.value["dagger-latest"]).toBe("0.20.3");
  });

  test("runner pods mount the engine's node socket; runners namespace is privileged", () => {
    const engines = Object.values<any>(stack.resource.helm_release).filter((r) => /dagger/.test(r.chart));
    expect(engines.length).toBe(2);
    const t = helmValues(scaleSetReleases(stack)["dagger-v0-20-3-945c2d"]).template;
    const hostPath = t.spec.volumes.find((v: any) => v.hostPath);
    expect(hostPath.hostPath.path).toMatch(/^\/(var\/)?run\/dagger-.*0-20-3/);
    const ns = Object.values<any>(stack.resource.kubernetes_namespace_v1).find((n) => n.metadata.name === "arc-runners");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
  });
});

describe("runners stack, statefulset engines (kube-pod)", () => {
  let stack: any;
  beforeAll(() => {
    const s = synthConfig({ target: "existing-cluster", github, dagger: { versions: ["0.20.3"], engine: { mode: "statefulset" } } });
    stack = s.stacks["dagger-runners-runners"];
  });

  test("the runner ServiceAccount exists where the engine's RoleBinding points", () => {
    const t = helmValues(scaleSetReleases(stack)["dagger-v0-20-3"]).template;
    const sa = t.spec.serviceAccountName;
    expect(sa).toBeTruthy();
    const sas = Object.values<any>(stack.resource.kubernetes_service_account_v1).filter((a) => a.metadata.name === sa);
    expect(sas).toHaveLength(1);
    const bindings = Object.values<any>(stack.resource.kubernetes_role_binding_v1 ?? {}).filter((b) => b.subject.some((x: any) => x.name === sa));
    expect(bindings.length).toBeGreaterThan(0);
    expect(bindings[0].subject[0].namespace).toBe(sas[0].metadata.namespace);
    expect(t.spec.initContainers.map((c: any) => c.name)).toContain("install-kubectl");
    const ns = Object.values<any>(stack.resource.kubernetes_namespace_v1).find((n) => n.metadata.name === "arc-runners");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });
});

test("sentinel credentials from TF_VAR_* appear nowhere in cdktf.out", () => {
  const KEY = "-----BEGIN PRIVATE KEY-----SENTINELKEY9f3-----END PRIVATE KEY-----";
  const PAT = "ghp_SENTINELPAT9f3";
  process.env.TF_VAR_github_app_private_key = KEY;
  process.env.TF_VAR_github_token = PAT;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-sentinel-"));
  try {
    for (const gh of [github, { configUrl: "https://github.com/acme", pat: true }]) {
      const { config, plan } = parseConfig({ target: "existing-cluster", github: gh });
      synthDeployment(config, plan, outdir);
      const all = readAll(outdir);
      expect(all).toMatch(/\$\{var\.github_(app_private_key|token)\}/);
      expect(all).not.toContain("SENTINEL");
    }
  } finally {
    delete process.env.TF_VAR_github_app_private_key;
    delete process.env.TF_VAR_github_token;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

describe("runners.removalWaitSeconds: how long an apply waits for a removed scale set", () => {
  const sets = (raw: object) => Object.values<any>(scaleSetReleases(synthConfig({ target: "existing-cluster", github, ...raw }).stacks["dagger-runners-runners"]));

  test("default 6 h on every scale set; a given value on every scale set; with wait on", () => {
    expect(sets({}).map((r) => [r.wait, r.timeout])).toEqual([
      [true, 21600],
      [true, 21600],
      [true, 21600],
    ]);
    expect(new Set(sets({ runners: { removalWaitSeconds: 900 } }).map((r) => r.timeout))).toEqual(new Set([900]));
  });

  test.each([
    [30, "runners.removalWaitSeconds: 30 is too small (expected >= 60)"],
    [500000, "runners.removalWaitSeconds: 500000 is too large (expected <= 432000)"],
  ])("%j is refused in one line", (value, message) => {
    expect(configError({ target: "existing-cluster", github, runners: { removalWaitSeconds: value } })).toBe(message);
  });
});
