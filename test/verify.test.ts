/**
 * `npm run verify` with the real charts: clean on the built-in default, every example and the
 * other deployment shapes; and one mutation per check, which breaks a contract in a copy of the
 * synthesized output and requires the finding.
 *
 * Needs the upstream charts (`../shared/charts`, or DAGGER_RUNNERS_CHARTS) and helm (HELM, or
 * `../shared/tools/install-helm.sh`); without them the suite says so on one line and is skipped.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { synthDeployment } from "../lib/app";
import { loadConfig, parseConfig, parseConfigText } from "../lib/config/load";
import { formatFinding, verify } from "../lib/verify";
import { gitHubUrlLabels, listenerPod, runnerPod } from "../lib/verify/arc-pods";
import { selects } from "../lib/verify/checks";
import { parseManifests, renderRelease, type K8sObject } from "../lib/verify/render";
import { parseYamlStream } from "../lib/verify/yaml-stream";
import { parseAllDocuments } from "yaml";
import { engineConfigSchema } from "../lib/schemas/engine";
import { compareVersionText } from "../lib/planning/versions";
import { runScript, scratchDirs } from "./util";
import { haveOpenssl, startFakeOciRegistry } from "./fake-oci-registry";

const ROOT = path.join(__dirname, "..");
const SHARED = process.env.DAGGER_RUNNERS_SHARED ?? path.resolve(ROOT, "..", "shared");
const CHARTS = process.env.DAGGER_RUNNERS_CHARTS ?? path.join(SHARED, "charts");

/** helm from HELM or the shared installer; undefined (with the reason) when neither works. */
function locateHelm(): { helm?: string; reason?: string } {
  const runs = (h: string) => {
    try {
      execFileSync(h, ["version", "--short"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (process.env.HELM && runs(process.env.HELM)) return { helm: process.env.HELM };
  const installer = path.join(SHARED, "tools", "install-helm.sh");
  if (!fs.existsSync(installer)) return { reason: `no helm (set HELM, or provide ${installer})` };
  try {
    const helm = execFileSync(installer, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 120_000 }).trim().split("\n").pop()!;
    return runs(helm) ? { helm } : { reason: `${installer} printed ${helm}, which does not run` };
  } catch (e) {
    return { reason: `${installer} failed: ${(e as Error).message.split("\n")[0]}` };
  }
}

const located = fs.existsSync(CHARTS) ? locateHelm() : { reason: `no upstream charts at ${CHARTS} (set DAGGER_RUNNERS_CHARTS)` };
const HELM = located.helm;
if (!HELM) process.stderr.write(`verify tests skipped: ${located.reason}\n`);
const describeVerify = HELM ? describe : describe.skip;

const tmp = scratchDirs("verify-test-");

/** What breaking the gpu-pool example's GPU engine and one of its scale sets must report. */
const GPU_FINDINGS = [
  "dagger-v0-20-gpu: AutoscalingRunnerSet/dagger-v0.20-gpu spec.template.spec.nodeSelector: lacks cloud.google.com/gke-nodepool=runners: the engine DaemonSet ci-gpu-v0-20-3 (DaemonSet/ci-gpu-v0-20-3-dagger-helm-engine) runs only there, so the runner may land on a node without its socket",
  'dagger-v0-20-gpu: AutoscalingRunnerSet/dagger-v0.20-gpu spec.template.spec.containers[runner].env[_EXPERIMENTAL_DAGGER_RUNNER_HOST]: "unix:///run/dagger/engine.sock" reaches ci-gpu-v0-20-3, but the plan routes this scale set to the GPU engine ci-gpu-v0-20-3-gpu',
  "ci-gpu-v0-20-3-gpu: DaemonSet/ci-gpu-v0-20-3-gpu-dagger-helm-engine spec.template.spec.containers[dagger-engine].resources.limits[nvidia.com/gpu]: is not set, the plan gives the GPU engine 1: the engine gets no GPU device",
  "ci-gpu-v0-20-3-gpu: DaemonSet/ci-gpu-v0-20-3-gpu-dagger-helm-engine spec.template.spec.containers[dagger-engine].env[_EXPERIMENTAL_DAGGER_GPU_SUPPORT]: is not set: the engine refuses every exec given GPUs",
];

/** Synthesizes a config file (relative to the repo) or raw config into a kept scratch directory. */
function synth(config: string | object): string {
  const raw = typeof config === "string" ? parseConfigText(fs.readFileSync(path.join(ROOT, config), "utf8"), config) : config;
  const { config: c, plan } = parseConfig(raw);
  const dir = tmp();
  synthDeployment(c, plan, dir);
  return dir;
}

/** The runners stack's JSON of a synthesized output directory. */
const runnersStackFile = (dir: string) => {
  const name = fs.readdirSync(path.join(dir, "stacks")).find((n) => n.endsWith("-runners"))!;
  return path.join(dir, "stacks", name, "cdk.tf.json");
};

/** A copy of `dir` with its runners stack changed by `fn`. */
function mutate(dir: string, fn: (stack: any) => void): string {
  const copy = tmp();
  fs.cpSync(dir, copy, { recursive: true });
  const file = runnersStackFile(copy);
  const stack = JSON.parse(fs.readFileSync(file, "utf8"));
  fn(stack);
  fs.writeFileSync(file, JSON.stringify(stack));
  return copy;
}

async function findings(dir: string): Promise<string[]> {
  const r = await verify({ outdir: dir, chartsDir: CHARTS, helm: HELM! });
  return r.findings.map(formatFinding);
}

/** Resources of `type` whose object name (or release name) matches. */
const byName = (stack: any, type: string, match: (name: string) => boolean): any[] =>
  Object.values(stack.resource?.[type] ?? {}).filter((r: any) => match(r.name ?? r.metadata?.name ?? r.manifest?.metadata?.name ?? ""));
const one = (stack: any, type: string, match: (name: string) => boolean) => {
  const found = byName(stack, type, match);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
};
/** Changes the (single JSON) values document of a helm_release. */
const editValues = (release: any, fn: (v: any) => void) => {
  const v = JSON.parse(release.values[0]);
  fn(v);
  release.values[0] = JSON.stringify(v);
};
const engineRelease = (stack: any, version = "0-20-3") => {
  const found = Object.values(stack.resource.helm_release).filter((r: any) => r.chart === "dagger-helm" && r.name.endsWith(`-v${version}`));
  if (found.length !== 1) throw new Error(`expected one engine release ${version}, found ${found.length}`);
  return found[0] as any;
};
const scaleSet = (stack: any, name: string) => one(stack, "helm_release", (n) => n === name);

const SHAPES: Record<string, string> = {
  default: "",
  ...Object.fromEntries(fs.readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => [f, `examples/${f}`])),
  ...Object.fromEntries(fs.readdirSync(path.join(ROOT, "test/fixtures/verify")).map((f) => [f, `test/fixtures/verify/${f}`])),
};

describeVerify("npm run verify with the real charts", () => {
  const dirs: Record<string, string> = {};
  const out = (shape: string) => (dirs[shape] ??= SHAPES[shape] ? synth(SHAPES[shape]) : synth({}));

  test.each(Object.keys(SHAPES))("%s renders and keeps every contract", async (shape) => {
    const r = await verify({ outdir: out(shape), chartsDir: CHARTS, helm: HELM! });
    expect(r.releases.filter((x) => x.error).map((x) => `${x.release.name}: ${x.error}`)).toEqual([]);
    expect(r.releases.length).toBeGreaterThanOrEqual(3);
    expect(r.findings.map(formatFinding)).toEqual([]);
  });

  test("escape hatches reach the rendered objects: dagger.engine.chartValues and runners.listenerTemplate", async () => {
    const r = await verify({ outdir: out("escape-hatches.yaml"), chartsDir: CHARTS, helm: HELM! });
    const engine = r.releases.find((x) => x.release.chart === "dagger-helm")!.objects.find((o) => o.kind === "DaemonSet") as any;
    expect(engine.spec.template.spec.terminationGracePeriodSeconds).toBe(900);
    // engine.annotations go on the pod template (dagger-helm 0.20.3 templates/engine-daemonset.yaml).
    expect(engine.spec.template.metadata.annotations).toEqual(expect.objectContaining({ "example.com/owner": "platform" }));
    // The typed values survive the merge.
    expect(engine.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: "1", memory: "2Gi" });
    const sets = r.releases.filter((x) => x.release.chart === "gha-runner-scale-set");
    expect(sets.length).toBe(3);
    for (const set of sets) {
      const ars = set.objects.find((o) => o.kind === "AutoscalingRunnerSet") as any;
      // The user's spec fields replace ours; ours (runner-node avoidance, ARC's 60 s grace period) stay.
      expect(ars.spec.listenerTemplate).toEqual({
        metadata: { labels: { "example.com/role": "listener" } },
        spec: {
          nodeSelector: { pool: "system" },
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [expect.objectContaining({ weight: 100 })] } },
          terminationGracePeriodSeconds: 60,
          containers: [{ name: "listener", resources: { requests: { cpu: "50m", memory: "64Mi" } } }],
        },
      });
    }
  });

  test("the engine pods run as the engines namespace's `default` ServiceAccount, which nothing annotates (no cloud identity)", async () => {
    const r = await verify({ outdir: out("default"), chartsDir: CHARTS, helm: HELM! });
    const engine = r.releases.find((x) => x.release.chart === "dagger-helm")!;
    const ds = engine.objects.find((o) => o.kind === "DaemonSet") as any;
    expect(ds.spec.template.spec.serviceAccountName).toBe("default");
    expect(engine.objects.filter((o) => o.kind === "ServiceAccount")).toEqual([]);
  });

  test("a system pool takes the controller and every listener pod, as the real charts render them", async () => {
    const r = await verify({ outdir: out("system-pool.yaml"), chartsDir: CHARTS, helm: HELM! });
    const onSystem = { "cloud.google.com/gke-nodepool": "system" };
    const controller = r.releases.find((x) => x.release.chart === "gha-runner-scale-set-controller")!.objects.find((o) => o.kind === "Deployment") as any;
    expect(controller.spec.template.spec.nodeSelector).toEqual(onSystem);
    const sets = r.releases.filter((x) => x.release.chart === "gha-runner-scale-set");
    expect(sets.length).toBe(3);
    for (const set of sets) {
      const ars = set.objects.find((o) => o.kind === "AutoscalingRunnerSet") as any;
      // ARC replaces its own `kubernetes.io/os: linux` with the template's nodeSelector
      // (mergeListenerPodWithTemplate, gha-runner-scale-set-0.14.2), so the template keeps it.
      expect(ars.spec.listenerTemplate.spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux", ...onSystem });
      expect(ars.spec.listenerTemplate.spec.containers).toEqual([{ name: "listener" }]);
      expect(ars.spec.template.spec.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners" });
    }
  });

  test("the real controller chart gets --update-strategy=eventual: a changed scale set waits for running jobs", async () => {
    const r = await verify({ outdir: out("default"), chartsDir: CHARTS, helm: HELM! });
    const controller = r.releases.find((x) => x.release.chart === "gha-runner-scale-set-controller")!;
    const deployment = controller.objects.find((o) => o.kind === "Deployment") as any;
    expect(deployment.spec.template.spec.containers[0].args).toContain("--update-strategy=eventual");
  });

  test("a draining version's scale set renders maxRunners 0 with the real chart (0 is not dropped as falsy)", async () => {
    const r = await verify({ outdir: out("draining.yaml"), chartsDir: CHARTS, helm: HELM! });
    const ars = (name: string) => (r.releases.find((x) => x.release.name === name)!.objects.find((o) => o.kind === "AutoscalingRunnerSet") as any).spec;
    expect([ars("dagger-v0-20-3").minRunners, ars("dagger-v0-20-3").maxRunners]).toEqual([0, 0]);
    expect(ars("dagger-v0-20").maxRunners).toBe(10);
    expect(r.findings).toEqual([]);
  });

  // --- One mutation per check -----------------------------------------------------------------

  test("a chart's own failure is a finding (runnerScaleSetName over 45 characters)", async () => {
    const d = mutate(out("default"), (s) => editValues(scaleSet(s, "dagger-latest"), (v) => (v.runnerScaleSetName = "x".repeat(46))));
    expect(await findings(d)).toEqual([expect.stringMatching(/^dagger-latest: chart gha-runner-scale-set 0\.14\.2: does not render: .*45 characters/)]);
  });

  test("schema: a built-in kind with a wrong type", async () => {
    const d = mutate(out("default"), (s) => editValues(engineRelease(s), (v) => (v.engine.tolerations = [{ key: "k", operator: "Exists", tolerationSeconds: "soon" }])));
    expect(await findings(d)).toContainEqual(
      expect.stringMatching(/^dagger-runners-v0-20-3: DaemonSet\/dagger-runners-v0-20-3-dagger-helm-engine spec\.template\.spec\.tolerations\.0\.tolerationSeconds: must be integer/),
    );
  });

  test("schema: a field the ARC CRD does not declare (pruned silently by the API server)", async () => {
    const d = mutate(out("default"), (s) => editValues(scaleSet(s, "dagger-v0-20"), (v) => (v.template.spec.nodeSelectr = { pool: "x" })));
    expect(await findings(d)).toContainEqual(
      expect.stringMatching(/^dagger-v0-20: AutoscalingRunnerSet\/dagger-v0\.20 spec\.template\.spec: must NOT have additional properties "nodeSelectr" \(not in the CRD schema\)/),
    );
  });

  test("schema: our own kubernetes_manifest (VPA) against its model", async () => {
    const d = mutate(out("tcp-daemonset-vpa.yaml"), (s) => {
      for (const m of byName(s, "kubernetes_manifest", (n) => n.endsWith("v0-20-3-dagger-helm-engine"))) m.manifest.spec.updatePolicy.updateMode = "Sometimes";
    });
    expect(await findings(d)).toContainEqual(expect.stringMatching(/VerticalPodAutoscaler\/verify-tcp-v0-20-3-dagger-helm-engine spec\.updatePolicy\.updateMode: must be equal to one of the allowed values/));
  });

  test("unix: the runner's hostPath is not the engine DaemonSet's socket directory", async () => {
    const d = mutate(out("default"), (s) =>
      editValues(scaleSet(s, "dagger-v0-20"), (v) => {
        v.template.spec.volumes.find((x: any) => x.name === "dagger-engine-socket").hostPath.path = "/run/dagger-dagger-runners-v0-20-3";
      }),
    );
    expect(await findings(d)).toEqual([
      expect.stringMatching(
        /^dagger-v0-20: AutoscalingRunnerSet\/dagger-v0\.20 spec\.template\.spec\.volumes\[dagger-engine-socket\]\.hostPath\.path: "\/run\/dagger-dagger-runners-v0-20-3" with socket "engine\.sock" is not where any engine DaemonSet puts its socket \(dagger-runners-v0-20-3 \(DaemonSet\/dagger-runners-v0-20-3-dagger-helm-engine\): \/run\/dagger-dagger-runners-v0-20-3-dagger-helm\/engine\.sock\)$/,
      ),
    ]);
  });

  test("GPU engine: without its variable and nvidia.com/gpu, and a gpu scale set on the normal engine", async () => {
    const d = mutate(out("gpu-pool.yaml"), (s) => {
      editValues(one(s, "helm_release", (n) => n === "ci-gpu-v0-20-3-gpu"), (v) => {
        v.engine.env = v.engine.env.filter((e: any) => e.name !== "_EXPERIMENTAL_DAGGER_GPU_SUPPORT");
        delete v.engine.resources.requests["nvidia.com/gpu"];
        delete v.engine.resources.limits["nvidia.com/gpu"];
      });
      editValues(scaleSet(s, "dagger-v0-20-gpu"), (v) => {
        v.template.spec.volumes.find((x: any) => x.name === "dagger-engine-socket").hostPath.path = "/run/dagger-ci-gpu-v0-20-3-dagger-helm";
      });
    });
    expect(await findings(d)).toEqual(GPU_FINDINGS);
  });

  test("unix: the socket file name differs from the engine's", async () => {
    const d = mutate(out("default"), (s) =>
      editValues(scaleSet(s, "dagger-latest"), (v) => {
        v.template.spec.containers[0].env.find((e: any) => e.name === "_EXPERIMENTAL_DAGGER_RUNNER_HOST").value = "unix:///run/dagger/buildkitd.sock";
      }),
    );
    expect(await findings(d)).toEqual([expect.stringMatching(/^dagger-latest: .*hostPath\.path: .* with socket "buildkitd\.sock" is not where any engine DaemonSet puts its socket/)]);
  });

  test("unix: a runner reaching another version's engine than the plan routes it to", async () => {
    const d = mutate(out("multi-version.yaml"), (s) => {
      const v0203 = JSON.parse(scaleSet(s, "dagger-v0-20-3").values[0]).template.spec.volumes;
      // The set carrying dagger-v0.20 and dagger-latest (sha256sum of "dagger-latest\ndagger-v0.20": 945c2d...).
      editValues(scaleSet(s, "dagger-v0-20-4-945c2d"), (v) => (v.template.spec.volumes = v0203));
    });
    expect(await findings(d)).toEqual([
      expect.stringMatching(/^dagger-v0-20-4-945c2d: AutoscalingRunnerSet\/dagger-v0\.20\.4-945c2d spec\.template\.spec\.containers\[runner\]\.env\[_EXPERIMENTAL_DAGGER_RUNNER_HOST\]: "unix:\/\/\/run\/dagger\/engine\.sock" reaches engine 0\.20\.3 \(dagger-multi-v0-20-3\), but the plan routes this scale set to 0\.20\.4$/),
    ]);
  });

  test("placement: the engine pod lacks the planned node selector (and unix runners may miss it)", async () => {
    const d = mutate(out("default"), (s) => editValues(engineRelease(s), (v) => (v.engine.nodeSelector = { "cloud.google.com/gke-nodepool": "engines" })));
    const f = await findings(d);
    expect(f).toContainEqual(
      expect.stringMatching(/^dagger-runners-v0-20-3: DaemonSet\/dagger-runners-v0-20-3-dagger-helm-engine spec\.template\.spec\.nodeSelector: lacks cloud\.google\.com\/gke-nodepool=runners \(planned engine placement\)/),
    );
    expect(f).toContainEqual(expect.stringMatching(/^dagger-latest: AutoscalingRunnerSet\/dagger-latest spec\.template\.spec\.nodeSelector: lacks cloud\.google\.com\/gke-nodepool=engines: the engine DaemonSet/));
  });

  test("placement: tolerations and priority class on the engine pod", async () => {
    const d = mutate(out("private-nat-engine-pool.yaml"), (s) =>
      editValues(engineRelease(s), (v) => {
        delete v.engine.tolerations;
        delete v.engine.priorityClassName;
      }),
    );
    const f = await findings(d);
    expect(f).toContainEqual(expect.stringMatching(/^ci-private-v0-20-3: StatefulSet\/ci-private-v0-20-3-dagger-helm-engine spec\.template\.spec\.tolerations: lacks the planned toleration .*dagger\.io\/engine/));
    expect(f).toContainEqual(expect.stringMatching(/^ci-private-v0-20-3: .* spec\.template\.spec\.priorityClassName: undefined is not the PriorityClass the stack creates \(ci-private-dagger-engine\)/));
  });

  test("kube-pod: the exec Role must name exactly the rendered engine pods", async () => {
    const d = mutate(out("kube-pod-versions.yaml"), (s) => {
      for (const rule of one(s, "kubernetes_role_v1", (n) => n === "verify-kp-engine-client").rule) rule.resource_names = rule.resource_names.slice(1).concat("verify-kp-v0-21-8-dagger-helm-engine-1");
    });
    const f = await findings(d);
    expect(f).toContainEqual(
      expect.stringMatching(
        /^verify-kp-v0-19-11: kubernetes_role_v1\.verify-kp-engine-client rule\[1\]\.resource_names: \["verify-kp-v0-20-4-dagger-helm-engine-0","verify-kp-v0-21-8-dagger-helm-engine-0","verify-kp-v0-21-8-dagger-helm-engine-1"\] is not exactly the rendered engine pods in dagger-engines \["verify-kp-v0-19-11-dagger-helm-engine-0",/,
      ),
    );
  });

  test("kube-pod: the RoleBinding's subject is not the runner pods' ServiceAccount", async () => {
    const d = mutate(out("private-nat-engine-pool.yaml"), (s) => {
      one(s, "kubernetes_role_binding_v1", (n) => n === "ci-private-engine-client").subject[0].name = "default";
    });
    expect(await findings(d)).toContainEqual(
      expect.stringMatching(/^dagger-latest: kubernetes_role_binding_v1\.ci-private-engine-client subject: \["arc-runners\/default"\] does not include arc-runners\/dagger-runner, the ServiceAccount of the rendered runner pods$/),
    );
  });

  test("kube-pod: the runner names a pod no engine StatefulSet renders", async () => {
    const d = mutate(out("private-nat-engine-pool.yaml"), (s) =>
      editValues(scaleSet(s, "dagger-latest"), (v) => {
        const e = v.template.spec.containers[0].env.find((x: any) => x.name === "_EXPERIMENTAL_DAGGER_RUNNER_HOST");
        e.value = e.value.replace("-engine-0", "-0");
      }),
    );
    expect(await findings(d)).toContainEqual(expect.stringMatching(/^dagger-latest: .*names pod dagger-engines\/ci-private-v0-20-3-dagger-helm-0, which no engine StatefulSet renders \(dagger-engines\/ci-private-v0-20-3-dagger-helm-engine-0\)$/));
  });

  test("tcp: the Service selects no engine pods", async () => {
    const d = mutate(out("tcp-statefulset.yaml"), (s) => {
      one(s, "kubernetes_service_v1", (n) => n.endsWith("-tcp")).spec.selector = { name: "verify-tcp-sts-v0-20-3-engine" };
    });
    expect(await findings(d)).toContainEqual(expect.stringMatching(/^dagger-latest: kubernetes_service_v1\.verify-tcp-sts-v0-20-3-tcp spec\.selector: .* selects no rendered engine pods in dagger-engines$/));
  });

  test("tcp: the Service's target port is not the port the engine listens on", async () => {
    const d = mutate(out("tcp-statefulset.yaml"), (s) => {
      one(s, "kubernetes_service_v1", (n) => n.endsWith("-tcp")).spec.port[0].target_port = "1234";
    });
    expect(await findings(d)).toContainEqual(expect.stringMatching(/spec\.port\.target_port: "1234" is not the port engine verify-tcp-sts-v0-20-3 \(StatefulSet\/verify-tcp-sts-v0-20-3-dagger-helm-engine\) listens on \(4321\)$/));
  });

  test("tcp: exactly one Service per engine (the 0.21 chart adds its own when engine.port is set)", async () => {
    const d = mutate(out("tcp-chart-service.yaml"), (s) =>
      editValues(engineRelease(s, "0-21-8"), (v) => {
        delete v.engine.args;
        v.engine.port = 1234;
      }),
    );
    expect(await findings(d)).toEqual([
      "verify-svc-v0-21-8: Services selecting DaemonSet/verify-svc-v0-21-8-dagger-helm-engine: 2 Services select the engine pods (ours: kubernetes_service_v1.verify-svc-v0-21-8-tcp; rendered by a chart: verify-svc-v0-21-8: Service/verify-svc-v0-21-8-dagger-helm): exactly one, ours, should",
    ]);
  });

  test("tcp: no NetworkPolicy selects the engine pods", async () => {
    const d = mutate(out("tcp-daemonset-vpa.yaml"), (s) => {
      one(s, "kubernetes_network_policy_v1", (n) => n.startsWith("verify-tcp-v0-20-4")).spec.pod_selector.match_labels = { name: "nothing" };
    });
    expect(await findings(d)).toEqual([
      expect.stringMatching(/^verify-tcp-v0-20-4: kubernetes_network_policy_v1 \(namespace dagger-engines\): no NetworkPolicy selects the engine pods of DaemonSet\/verify-tcp-v0-20-4-dagger-helm-engine/),
    ]);
  });

  test("tcp: the NetworkPolicy does not admit the runner pods ARC creates", async () => {
    const d = mutate(out("tcp-statefulset.yaml"), (s) => {
      one(s, "kubernetes_network_policy_v1", () => true).spec.ingress[0].from[0].pod_selector.match_labels["app.kubernetes.io/component"] = "runner-set";
    });
    expect(await findings(d)).toEqual(
      ["dagger-latest", "dagger-v0.20.3", "dagger-v0.20"].map((n) =>
        expect.stringMatching(new RegExp(`^verify-tcp-sts-v0-20-3: kubernetes_network_policy_v1\\.verify-tcp-sts-v0-20-3-tcp-clients spec\\.ingress: does not admit the runner pod of ${n.replace(/\./g, "\\.")} \\(namespace arc-runners\\) on port 4321`)),
      ),
    );
  });

  test("tcp: a NetworkPolicy admitting more than runner pods", async () => {
    const d = mutate(out("tcp-statefulset.yaml"), (s) => {
      one(s, "kubernetes_network_policy_v1", () => true).spec.ingress[0].from[0].pod_selector = {};
    });
    const f = await findings(d);
    expect(f).toContainEqual(expect.stringMatching(/spec\.ingress: admits an unlabelled pod in namespace arc-runners: only runner pods may reach the engine$/));
    // Three scale sets meet the same broken contract: one line, not three.
    expect(f.filter((x) => x.includes("admits an unlabelled pod"))).toHaveLength(1);
    expect(f).toContainEqual(expect.stringMatching(/spec\.ingress: admits the pods of CronJob runner-cleanup /));
    const d2 = mutate(out("tcp-statefulset.yaml"), (s) => {
        one(s, "kubernetes_network_policy_v1", () => true).spec.ingress[0].from[0].namespace_selector = {};
    });
    const f2 = await findings(d2);
    expect(f2).toEqual(
      ["dagger-latest", "dagger-v0.20.3", "dagger-v0.20"].map(
        (n) => `verify-tcp-sts-v0-20-3: kubernetes_network_policy_v1.verify-tcp-sts-v0-20-3-tcp-clients spec.ingress: admits a pod with the labels of the runner pod of ${n} in namespace default: only runner pods may reach the engine`,
      ),
    );
  });

  test("tcp: a listener pod (controller namespace, ARC's labels) is admitted", async () => {
    const d = mutate(out("tcp-statefulset.yaml"), (s) => {
      const from = one(s, "kubernetes_network_policy_v1", () => true).spec.ingress[0].from;
      from.push({ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "arc-systems" } }, pod_selector: { match_labels: { "app.kubernetes.io/component": "runner-scale-set-listener" } } });
    });
    expect(await findings(d)).toEqual(
      ["dagger-latest", "dagger-v0.20.3", "dagger-v0.20"].map((n) => expect.stringMatching(new RegExp(`admits listener pod of ${n.replace(/\./g, "\\.")} \\(namespace arc-systems, labels .*"actions\\.github\\.com/enterprise":"my-enterprise"`))),
    );
  });

  test("VPA: the target is not a rendered workload, or the container is not in it", async () => {
    const d = mutate(out("tcp-daemonset-vpa.yaml"), (s) => {
      const [a, b] = byName(s, "kubernetes_manifest", (n) => n.includes("dagger-helm-engine"));
      a.manifest.spec.targetRef.kind = "StatefulSet";
      b.manifest.spec.resourcePolicy.containerPolicies[0].containerName = "engine";
    });
    const f = await findings(d);
    expect(f).toContainEqual(expect.stringMatching(/^verify-tcp-v0-20-3: kubernetes_manifest\.verify-tcp-v0-20-3-dagger-helm-engine spec\.targetRef: StatefulSet\/verify-tcp-v0-20-3-dagger-helm-engine in namespace "dagger-engines" is not a rendered workload/));
    expect(f).toContainEqual(expect.stringMatching(/^verify-tcp-v0-20-4: kubernetes_manifest\.verify-tcp-v0-20-4-dagger-helm-engine spec\.resourcePolicy\.containerPolicies\[0\]\.containerName: "engine" is not a container of DaemonSet\/verify-tcp-v0-20-4-dagger-helm-engine \(dagger-engine\)$/));
  });

  test("PVC: the claim is missing, or shadowed by a pod volume of the same name", async () => {
    const d = mutate(out("tcp-statefulset.yaml"), (s) => editValues(engineRelease(s), (v) => (v.engine.statefulSet.persistentVolumeClaim.enabled = false)));
    expect(await findings(d)).toContainEqual(expect.stringMatching(/^verify-tcp-sts-v0-20-3: StatefulSet\/verify-tcp-sts-v0-20-3-dagger-helm-engine spec\.volumeClaimTemplates: has no claim "data" although/));
    const d2 = mutate(out("tcp-statefulset.yaml"), (s) => editValues(engineRelease(s), (v) => (v.engine.hostPath.dataVolume.enabled = true)));
    expect(await findings(d2)).toContainEqual(expect.stringMatching(/spec\.template\.spec\.volumes\[data\]: a pod volume also named "data" shadows the claim/));
  });

  test("PVC: size, StorageClass and retention of the rendered claim are the configured ones", async () => {
    // A `set` entry the provider applies after the values (an escape hatch) overrides them.
    const d = mutate(out("tcp-statefulset.yaml"), (s) => {
      engineRelease(s).set = [
        { name: "engine.statefulSet.persistentVolumeClaim.resources.requests.storage", value: "10Gi" },
        { name: "engine.statefulSet.persistentVolumeClaim.storageClassName", value: "premium-rwo" },
        { name: "engine.statefulSet.persistentVolumeClaimRetentionPolicy.whenDeleted", value: "Delete" },
      ];
    });
    const at = "verify-tcp-sts-v0-20-3: StatefulSet/verify-tcp-sts-v0-20-3-dagger-helm-engine spec.";
    expect(await findings(d)).toEqual([
      `${at}volumeClaimTemplates[data].spec.resources.requests.storage: "10Gi" is not the configured cache size "50Gi"`,
      `${at}volumeClaimTemplates[data].spec.storageClassName: "premium-rwo" is not the configured StorageClass "standard-rwo"`,
      `${at}persistentVolumeClaimRetentionPolicy.whenDeleted: "Delete" is not the configured "Retain"`,
    ]);
  });

  test("engine.json: a key the engine version does not know, and a file that is not JSON", async () => {
    const d = mutate(out("default"), (s) => editValues(engineRelease(s), (v) => (v.engine.configJson = JSON.stringify({ gc: { maxUsedSpace: "50%" }, telemetry: {} }))));
    expect(await findings(d)).toEqual([
      expect.stringMatching(/^dagger-runners-v0-20-3: ConfigMap\/dagger-runners-v0-20-3-dagger-helm-engine-config data\[engine\.json\]: must NOT have additional properties "telemetry": not valid for engine 0\.20\.3 \(schema of v0\.19\.0\)/),
    ]);
    const d2 = mutate(out("default"), (s) => editValues(engineRelease(s), (v) => (v.engine.configJson = "{gc: }")));
    expect(await findings(d2)).toEqual([expect.stringMatching(/data\[engine\.json\]: is not JSON/)]);
  });

  test("scale sets bind the ServiceAccount the controller chart renders", async () => {
    const d = mutate(out("default"), (s) => editValues(scaleSet(s, "dagger-v0-20-3"), (v) => (v.controllerServiceAccount.name = "arc-gha-runner-scale-set-controller")));
    expect(await findings(d)).toEqual([
      expect.stringMatching(/^dagger-v0-20-3: RoleBinding\/dagger-v0\.20\.3-gha-rs-manager subjects: \["arc-systems\/arc-gha-runner-scale-set-controller"\] is not the controller's ServiceAccount arc-systems\/arc-gha-rs-controller \(rendered by arc\)$/),
    ]);
  });

  // --- Charts from their repositories -----------------------------------------------------------

  (haveOpenssl() ? test : test.skip)("without --charts, each chart is pulled once from the mirror the config names (a local OCI registry)", async () => {
    const charts = ["dagger-helm-0.20.3", "gha-runner-scale-set-controller-0.14.2", "gha-runner-scale-set-0.14.2"].map((c) => path.join(CHARTS, c));
    const registry = await startFakeOciRegistry(HELM!, charts);
    const env = { ...process.env, SSL_CERT_FILE: registry.caFile };
    try {
      const dir = synth({ mirrors: { charts: { dagger: registry.url, arc: registry.url } } });
      const r = await verify({ outdir: dir, helm: HELM!, env });
      expect(r.findings.map(formatFinding)).toEqual([]);
      // The bundled CRD chart (4 CRDs) is read from the stack output, never pulled.
      expect(r.releases.map((x) => x.objects.length)).toEqual([2, 4, 6, 3, 3, 3]);
      const pulls = registry.requests.filter((x) => x.includes("/manifests/")).map((x) => x.replace(/^GET \/v2\/mirror\/charts\//, ""));
      expect(pulls.sort()).toEqual(["dagger-helm/manifests/0.20.3", "gha-runner-scale-set-controller/manifests/0.14.2", "gha-runner-scale-set/manifests/0.14.2"]);

      const missing = registry.url.replace("mirror/charts", "elsewhere");
      const elsewhere = synth({ mirrors: { charts: { dagger: missing, arc: registry.url } } });
      await expect(verify({ outdir: elsewhere, helm: HELM!, env })).rejects.toThrow(
        new RegExp(`^chart dagger-helm 0\\.20\\.3 \\(release dagger-runners-v0-20-3\\) could not be pulled from ${missing.replace(/\./g, "\\.")}: .*not found.* \\(for offline use: --charts DIR\\)$`),
      );
    } finally {
      await registry.close();
    }
  });

  test("images and charts: every one pulled is in the deployment's list (what a mirror must hold)", async () => {
    const d = mutate(out("private-mirror.yaml"), (s) => {
      editValues(engineRelease(s), (v) => delete v.engine.image);
      editValues(one(s, "helm_release", (n) => n === "arc"), (v) => delete v.image);
      one(s, "helm_release", (n) => n === "dagger-latest").repository = "oci://ghcr.io/actions/actions-runner-controller-charts";
    });
    const notListed = "is not in the deployment's image list (npm run report): a private mirror made from that list would not have it";
    expect(await findings(d)).toEqual([
      `ci-airgap-v0-20-3: StatefulSet/ci-airgap-v0-20-3-dagger-helm-engine spec.template.spec.containers[dagger-engine].image: "registry.dagger.io/engine:v0.20.3" ${notListed}`,
      `arc: Deployment/arc-gha-rs-controller spec.template.spec.containers[manager].image: "ghcr.io/actions/gha-runner-scale-set-controller:0.14.2" ${notListed}`,
      expect.stringMatching(/^dagger-latest: helm_release github_dagger-latest_release_[0-9A-F]+ repository, chart, version: oci:\/\/ghcr\.io\/actions\/actions-runner-controller-charts\/gha-runner-scale-set 0\.14\.2 is not in the deployment's chart list \(npm run report\)$/),
    ]);
  });

  // --- The command ------------------------------------------------------------------------------

  test("the command: exit 0 and a line per release when clean; exit 1 and one line per finding", async () => {
    const env = { PATH: `${path.dirname(HELM!)}${path.delimiter}${process.env.PATH}` };
    const d = mutate(out("default"), (s) => editValues(engineRelease(s), (v) => (v.engine.configJson = '{"telemetry": {}}')));
    // The two runs at once: independent processes.
    const [clean, bad] = await Promise.all([
      runScript("scripts/verify.ts", ["--charts", CHARTS], env),
      runScript("scripts/verify.ts", ["--charts", CHARTS, "--out", d], env),
    ]);
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^Config: built-in default\nRendered 6 Helm releases for Kubernetes 1\.33\.0/);
    expect(clean.stdout).toMatch(/\n  ok    dagger-runners-v0-20-3 +dagger-helm 0\.20\.3 +2 objects\n/);
    expect(clean.stdout.trim().split("\n").pop()).toBe("verify: no findings");
    // The README shows this run.
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const sample = /\$ npm run verify -- --charts \.\.\/shared\/charts\n([\s\S]*?)```/.exec(readme)![1];
    expect(clean.stdout.replace(CHARTS, "../shared/charts")).toBe(sample);

    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\n  FAIL  dagger-runners-v0-20-3 /);
    expect(bad.stdout.split("\n").filter((l) => l.startsWith("finding: "))).toEqual([expect.stringMatching(/^finding: dagger-runners-v0-20-3: ConfigMap\/.* "telemetry"/)]);
    expect(bad.stdout.trim().split("\n").pop()).toBe("verify: 1 finding");
  });

  test("the command: exit 2 with one line when it cannot run", async () => {
    const empty = tmp();
    const [noHelm, noChart, badArg, badKube] = await Promise.all([
      runScript("scripts/verify.ts", ["--charts", CHARTS], { PATH: path.dirname(process.execPath) }),
      runScript("scripts/verify.ts", ["--charts", empty], { PATH: `${path.dirname(HELM!)}${path.delimiter}${process.env.PATH}` }),
      runScript("scripts/verify.ts", ["--chart", CHARTS]),
      runScript("scripts/verify.ts", ["--kube-version=1.33"]),
    ]);
    expect([badKube.code, badKube.stderr]).toEqual([2, 'error: --kube-version "1.33" is not MAJOR.MINOR.PATCH (e.g. 1.33.0)\n']);
    expect([noHelm.code, noHelm.stderr]).toEqual([2, expect.stringMatching(/^error: helm not found on PATH \(.*\)\n$/)]);
    expect([noChart.code, noChart.stderr]).toEqual([2, `error: chart dagger-helm 0.20.3 (release dagger-runners-v0-20-3) not found: no ${fs.realpathSync(empty)}/dagger-helm-0.20.3/Chart.yaml\n`]);
    expect([badArg.code, badArg.stderr]).toEqual([2, expect.stringMatching(/^error: unknown argument "--chart" \(usage: npm run verify/)]);
  });
});

/**
 * Two deployments on one cluster, rendered with the real charts: nothing either deployment's
 * releases create in the cluster (a cluster-scoped object, or a namespaced one in its
 * namespace) is created by the other too. Helm would refuse such an object owned by another
 * release, or (take_ownership) take it over.
 */
describeVerify("two deployments on one cluster, with the real charts", () => {
  /** Kinds the charts could render that are not namespaced. */
  const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "Namespace", "StorageClass", "PersistentVolume", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass", "RuntimeClass", "APIService", "CSIDriver"]);
  /** Every object the rendered releases create, as `kind namespace/name` (cluster-scoped: `kind /name`), and each release as `helm namespace/name`. */
  async function claimed(dir: string): Promise<string[]> {
    const r = await verify({ outdir: dir, chartsDir: CHARTS, helm: HELM! });
    expect(r.findings.map(formatFinding)).toEqual([]);
    return r.releases.flatMap((rr) => [
      `helm ${rr.release.namespace}/${rr.release.name}`,
      ...rr.objects.map((o) => `${o.kind} ${CLUSTER_SCOPED.has(o.kind) ? "" : (o.metadata.namespace ?? rr.release.namespace)}/${o.metadata.name}`),
    ]);
  }
  /** Synthesizes a config file through loadConfig (which checks its peers). */
  function synthChecked(file: string): string {
    const { config, plan } = loadConfig(path.join(ROOT, file));
    const dir = tmp();
    synthDeployment(config, plan, dir);
    return dir;
  }

  test("prod and staging (test/fixtures/verify/shared-cluster-*.yaml): no name claimed twice; no cluster-scoped object rendered at all but prod's CRDs", async () => {
    const prod = await claimed(synthChecked("test/fixtures/verify/shared-cluster-prod.yaml"));
    const staging = await claimed(synthChecked("test/fixtures/verify/shared-cluster-staging.yaml"));
    expect(prod).toEqual(expect.arrayContaining(["Role arc-runners/arc-gha-rs-controller-single-namespace-watch", "Deployment arc-systems/arc-gha-rs-controller"]));
    expect(staging).toEqual(expect.arrayContaining(["Role dagger-staging-runners/arc-gha-rs-controller-single-namespace-watch", "Deployment dagger-staging-arc/arc-gha-rs-controller"]));
    expect(staging.filter((x) => prod.includes(x))).toEqual([]);
    const clusterScoped = (xs: string[]) => xs.filter((x) => / \//.test(x)).sort();
    expect(clusterScoped(prod)).toEqual([
      "CustomResourceDefinition /autoscalinglisteners.actions.github.com",
      "CustomResourceDefinition /autoscalingrunnersets.actions.github.com",
      "CustomResourceDefinition /ephemeralrunners.actions.github.com",
      "CustomResourceDefinition /ephemeralrunnersets.actions.github.com",
    ]);
    expect(clusterScoped(staging)).toEqual([]);
  });

  test("without arc.watchSingleNamespace the two controller releases render the same ClusterRole and ClusterRoleBinding (what the peers rule prevents)", async () => {
    const prod = await claimed(synth({ gcp: { projectId: "prod-proj-123" }, github: { configUrl: "https://github.com/my-org", pat: true } }));
    const staging = await claimed(
      synth({
        name: "dagger-staging",
        target: "existing-cluster",
        github: { configUrl: "https://github.com/my-org", pat: true },
        arc: { installCrds: false, namespace: "dagger-staging-arc" },
        runners: { labelPrefix: "dagger-staging", namespace: "dagger-staging-runners" },
        dagger: { engine: { namespace: "dagger-staging-engines" } },
      }),
    );
    expect(staging.filter((x) => prod.includes(x))).toEqual(["ClusterRole /arc-gha-rs-controller", "ClusterRoleBinding /arc-gha-rs-controller"]);
  });
});

// --- Pure parts (no helm) -------------------------------------------------------------------------

describe("how a release is rendered (a stand-in helm that prints what it was given)", () => {
  /** A `helm` that renders one ConfigMap of its arguments, its GC settings and its standard input. */
  function fakeHelm(): string {
    const file = path.join(tmp(), "helm");
    fs.writeFileSync(
      file,
      ["#!/bin/sh", "values=$(cat)", "cat <<EOF", "kind: ConfigMap", "apiVersion: v1", "metadata: {name: probe}", "data:",
        '  args: "$*"', '  gogc: "${GOGC-unset}"', '  gomemlimit: "${GOMEMLIMIT-unset}"', "  values: |", "    $values", "EOF", ""].join("\n"),
      { mode: 0o755 },
    );
    return file;
  }
  const release = (values: string) => ({ stack: "s", id: "r", name: "probe", namespace: "ns", chart: "c", version: "1.0.0", values: [values], set: [{ name: "x", value: "1" }] });

  test("the merged values go on helm's standard input (-f -); Go's GC is off up to 512 MiB unless the environment sets it", async () => {
    const helm = fakeHelm();
    const r = await renderRelease(release('{"a": {"b": 1}}'), "/charts/c", helm, "1.33.0");
    expect(r.error).toBeUndefined();
    expect(r.objects.map((o) => o.data)).toEqual([
      { args: "template probe /charts/c --namespace ns --kube-version 1.33.0 --set x=1 -f -", gogc: "off", gomemlimit: "512MiB", values: '{"a":{"b":1}}\n' },
    ]);
    const before = process.env.GOGC;
    process.env.GOGC = "200";
    try {
      const own = await renderRelease(release('{"a": {"b": 2}}'), "/charts/c", helm, "1.33.0");
      expect(own.objects.map((o) => o.data)).toEqual([expect.objectContaining({ gogc: "200", gomemlimit: "unset" })]);
    } finally {
      if (before === undefined) delete process.env.GOGC;
      else process.env.GOGC = before;
    }
  });
});

describe("CRD validators are compiled once and kept (RUNNERS_VALIDATOR_CACHE: a scratch directory here)", () => {
  /** A PodMonitoring (a CRD this package ships for the checks) with a field its schema lacks. */
  const bad = { apiVersion: "monitoring.googleapis.com/v1", kind: "PodMonitoring", metadata: { name: "m", namespace: "n" }, spec: { selector: {}, endpoints: [{ port: 9090, interval: "30s", bogus: 1 }] } };
  /** Validates `bad` with fresh modules (no validator in memory); also whether ajv compiled. */
  function freshValidate(): { messages: readonly string[]; compiled: number } {
    let out: { messages: readonly string[]; compiled: number } | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const compile = jest.spyOn((require("ajv") as { default: { prototype: { compile: () => unknown } } }).default.prototype, "compile");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { KubeSchemas } = require("../lib/verify/kube-schema") as typeof import("../lib/verify/kube-schema");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { monitoringCrdsDir } = require("../lib/verify/scrape") as typeof import("../lib/verify/scrape");
      const schemas = new KubeSchemas();
      schemas.addChartCrds(monitoringCrdsDir());
      out = { messages: schemas.validate(bad as unknown as K8sObject), compiled: compile.mock.calls.length };
    });
    return out!;
  }
  const before = process.env.RUNNERS_VALIDATOR_CACHE;
  afterAll(() => {
    if (before === undefined) delete process.env.RUNNERS_VALIDATOR_CACHE;
    else process.env.RUNNERS_VALIDATOR_CACHE = before;
  });

  test("compiled on first use and written; loaded, not compiled, by the next run; a kept file that does not load is compiled again", () => {
    const dir = tmp();
    process.env.RUNNERS_VALIDATOR_CACHE = dir;
    const first = freshValidate();
    expect(first.messages).toEqual([expect.stringMatching(/^spec\.endpoints\.0: must NOT have additional properties "bogus" \(not in the CRD schema\)$/)]);
    expect(first.compiled).toBe(1);
    const kept = fs.readdirSync(dir);
    expect(kept).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.js$/)]);
    expect(freshValidate()).toEqual({ messages: first.messages, compiled: 0 });
    // Cut short, in another directory (jest keeps what a test file has read of a file once).
    const other = tmp();
    process.env.RUNNERS_VALIDATOR_CACHE = other;
    fs.writeFileSync(path.join(other, kept[0]), "module.exports = ");
    expect(freshValidate()).toEqual({ messages: first.messages, compiled: 1 });
    expect(fs.readFileSync(path.join(other, kept[0]), "utf8")).toBe(fs.readFileSync(path.join(dir, kept[0]), "utf8"));
  });
});

describe("helm's output and the charts' CRDs are read as YAML 1.2 core, as the config is", () => {
  /** What the `yaml` package (the config's reader) makes of a document. */
  const byYamlPackage = (text: string) => parseAllDocuments(text).map((d) => d.toJS());
  test.each([
    "a: 2024-01-01", "a: yes", "a: on", "a: 0o17", "a: 017", "a: 0x1F", "a: 1_000", "a: .inf", "a: -.Inf", "a: .NaN",
    "a: 1e3", "a: ~", "a: Null", "a: TRUE", "a: !!str 12", "a: +12", "a: 12:30:00", "a: 0777",
    "b: &x {c: 1}\nd:\n  <<: *x\n  e: 2", "a: |\n  x\n  y\n", "a: >-\n  x\n  y\n", "a: \"\\u00e9\"", "---\n---\na: 1\n",
  ])("%j: the same value as the yaml package's", (text) => {
    expect(parseYamlStream(text, "t")).toEqual(byYamlPackage(text));
  });
  test("the one difference found: 0b101 is an integer here, a string to the yaml package", () => {
    expect([parseYamlStream("a: 0b101", "t"), byYamlPackage("a: 0b101")]).toEqual([[{ a: 5 }], [{ a: "0b101" }]]);
  });
  test("invalid YAML throws one line naming the source; empty documents and scalars are not objects", () => {
    expect(() => parseYamlStream("a: [1,\n", "crds/x.yaml")).toThrow(/^crds\/x\.yaml: not valid YAML: [^\n]+$/);
    expect(parseManifests("---\n# only a comment\n---\nplain\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\n")).toEqual([
      { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "c" } },
    ]);
  });
});

describe("ARC's runner and listener pods (labels from resourcebuilder.go at gha-runner-scale-set-0.14.2)", () => {
  const ars: K8sObject = {
    apiVersion: "actions.github.com/v1alpha1",
    kind: "AutoscalingRunnerSet",
    metadata: {
      name: "dagger-v0.20",
      namespace: "arc-runners",
      labels: { "app.kubernetes.io/component": "autoscaling-runner-set", "app.kubernetes.io/part-of": "gha-rs", "app.kubernetes.io/version": "0.14.2", "helm.sh/chart": "gha-rs-0.14.2" },
    },
    spec: { githubConfigUrl: "https://github.com/my-org/my-repo", template: { metadata: { labels: { team: "ci", "app.kubernetes.io/component": "custom" } }, spec: {} } },
  };
  test("runner pod: ARS labels overwritten by ARC's, then the template's, then its own", () => {
    expect(runnerPod(ars).labels).toEqual({
      "app.kubernetes.io/component": "custom",
      "app.kubernetes.io/part-of": "gha-runner-scale-set",
      "app.kubernetes.io/version": "0.14.2",
      "helm.sh/chart": "gha-rs-0.14.2",
      "actions.github.com/scale-set-name": "dagger-v0.20",
      "actions.github.com/scale-set-namespace": "arc-runners",
      "actions.github.com/organization": "my-org",
      "actions.github.com/repository": "my-repo",
      team: "ci",
      "actions-ephemeral-runner": "True",
      "pod-template-hash": "x",
    });
    expect(runnerPod(ars, ["helm.sh/"]).labels["helm.sh/chart"]).toBeUndefined();
  });
  test("listener pod: in the controller namespace, template labels only where ARC sets none", () => {
    const withTemplate = { ...ars, spec: { ...(ars.spec as object), listenerTemplate: { metadata: { labels: { "app.kubernetes.io/component": "x", extra: "y" } } } } };
    const p = listenerPod(withTemplate, "arc-systems");
    expect(p.namespace).toBe("arc-systems");
    expect(p.labels["app.kubernetes.io/component"]).toBe("runner-scale-set-listener");
    expect(p.labels.extra).toBe("y");
  });
  test("GitHub URL labels: organization, repository, enterprise; long values trimmed", () => {
    expect(gitHubUrlLabels("https://github.com/enterprises/acme/")).toEqual({ "actions.github.com/enterprise": "acme" });
    expect(gitHubUrlLabels("https://ghes.example.com/org-")).toEqual({ "actions.github.com/organization": "org" });
    expect(gitHubUrlLabels(`https://github.com/o/${"r".repeat(70)}`)["actions.github.com/repository"]).toBe(`${"r".repeat(58)}-trim`);
  });
  test("label selectors: matchLabels and every matchExpressions operator", () => {
    const l = { a: "1", b: "2" };
    expect(selects({}, l)).toBe(true);
    expect(selects({ matchLabels: { a: "1" } }, l)).toBe(true);
    expect(selects({ matchLabels: { a: "2" } }, l)).toBe(false);
    expect(selects({ matchExpressions: [{ key: "a", operator: "In", values: ["1", "3"] }] }, l)).toBe(true);
    expect(selects({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, l)).toBe(false);
    expect(selects({ matchExpressions: [{ key: "c", operator: "Exists" }] }, l)).toBe(false);
    expect(selects({ matchExpressions: [{ key: "c", operator: "DoesNotExist" }] }, l)).toBe(true);
  });
});

describe("engine.json schema per engine version (../shared/reference/engine-schemas/SOURCES)", () => {
  test("semver precedence, pre-releases included", () => {
    const sorted = ["1.0.0", "0.19.10", "1.0.0-beta.10", "0.9.3", "1.0.0-beta.9", "0.19.9", "1.0.0-alpha"].sort(compareVersionText);
    expect(sorted).toEqual(["0.9.3", "0.19.9", "0.19.10", "1.0.0-alpha", "1.0.0-beta.9", "1.0.0-beta.10", "1.0.0"]);
  });
  test.each([
    ["0.16.9", undefined],
    ["0.17.0", "0.17.0"],
    ["0.18.10", "0.18.9"],
    ["0.18.19", "0.18.11"],
    ["0.20.3", "0.19.0"],
    ["1.0.0-beta.9", "0.19.0"],
    ["1.0.0-beta.10", "1.0.0-beta.10"],
  ])("engine %s uses the schema published at %s", (v, since) => {
    expect(engineConfigSchema(v)?.since).toBe(since);
  });
  test("registries is known from 0.19.0, gc.dagqlCache only from 1.0.0-beta.10", () => {
    const props = (v: string) => Object.keys((engineConfigSchema(v)!.schema as any).$defs.Config.properties);
    expect(props("0.18.19")).not.toContain("registries");
    expect(props("0.19.0")).toContain("registries");
    const gc = (v: string) => Object.keys((engineConfigSchema(v)!.schema as any).$defs.GCConfig.properties);
    expect(gc("0.21.8")).not.toContain("dagqlCache");
    expect(gc("1.0.0-beta.10")).toContain("dagqlCache");
  });
});
