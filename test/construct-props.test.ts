/**
 * The constructs used directly, with typed props and no config file: good props synthesize, bad
 * props fail `synth` with one line naming the prop (the config file's rules, lib/planning/rules.ts,
 * run from the construct). The same rules from the config file name config keys: see
 * test/config.test.ts and test/dagger-engines.test.ts.
 */
import { Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { HelmProvider } from "../lib/imports/helm";
import { KubernetesProvider } from "../lib/imports/kubernetes";
import { DaggerEngines, DaggerEnginesProps } from "../lib/constructs/dagger-engines";
import { GithubRunners, GithubRunnersProps } from "../lib/constructs/github-runners";
import { ArcController } from "../lib/constructs/arc-controller";
import { RunnerNamespaces } from "../lib/constructs/runner-namespaces";
import { RunnerScaleSet, RunnerScaleSetProps } from "../lib/constructs/runner-scale-set";
import { planEngineNames } from "../lib/planning/engines";
import { parseVersionList } from "../lib/planning/versions";

/** A stack with providers, `build` run in it, synthesized with validations. */
function synth(build: (stack: TerraformStack) => void): any {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s");
  new KubernetesProvider(stack, "k8s", { configPath: "~/.kube/config" });
  new HelmProvider(stack, "helm", { kubernetes: { configPath: "~/.kube/config" } });
  build(stack);
  return JSON.parse(Testing.synth(stack, true));
}

/** The validation lines of a synth that must fail, without cdktf's decoration. */
function errors(build: (stack: TerraformStack) => void): string[] {
  try {
    synth(build);
  } catch (e) {
    return String((e as Error).message)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("["))
      .map((l) => l.replace(/^\[[^\]]*\] /, ""));
  }
  throw new Error("synth succeeded");
}

const engineNames = (mode: "daemonset" | "statefulset", ...versions: string[]) => planEngineNames("ci", parseVersionList(versions), mode);

const engines = (scope: Construct, over: Partial<DaggerEnginesProps> = {}) =>
  new DaggerEngines(scope, "engines", {
    engines: engineNames(over.mode ?? "daemonset", "0.20.3"),
    mode: "daemonset",
    clientNamespace: "runners",
    namePrefix: "ci",
    ...over,
  });

describe("DaggerEngines with typed props", () => {
  test("good props synthesize one engine release per version", () => {
    const json = synth((s) => engines(s, { engines: engineNames("statefulset", "0.19.10", "0.20.3"), mode: "statefulset", cache: { size: "50Gi" } }));
    const releases = Object.values<any>(json.resource.helm_release);
    expect(releases.map((r) => r.name)).toEqual(["ci-v0-19-10", "ci-v0-20-3"]);
    expect(JSON.parse(releases[1].values[0]).engine.statefulSet.persistentVolumeClaim.resources.requests.storage).toBe("50Gi");
  });

  test.each<[string, Partial<DaggerEnginesProps>, string]>([
    [
      "unix on a StatefulSet",
      { mode: "statefulset", engines: engineNames("statefulset", "0.20.3"), transport: "unix" },
      'transport: "unix" is not valid with mode "statefulset" (the engine pod runs on one node, so other nodes have no engine socket; use kube-pod or tcp)',
    ],
    [
      "cache on a DaemonSet",
      { cache: { size: "10Gi" } },
      'cache: {"size":"10Gi"} conflicts with mode "daemonset" (a DaemonSet caches on the node\'s disk; cache.size, storageClass and retainOnDelete need mode statefulset)',
    ],
    ["a port out of range", { transport: "tcp", port: 70000 }, "port: 70000 is out of range (expected 1-65535)"],
    [
      "an engine.json key the version does not know",
      { engineConfig: { telemetry: {} } as never },
      'engineConfig.telemetry: {} is not an engine.json key here for engine 0.20.3 (its schema, published at v0.19.0, allows: logLevel, gc, security, registries); the engine would refuse to start',
    ],
    ["an existing cloud Secret with cloud off", { cloud: { existingSecretName: "tok" } }, 'cloud.existingSecretName: "tok" needs cloud.enabled: true'],
    [
      "a value for an existing PriorityClass",
      { priorityClass: { create: false, name: "high", value: 5 } },
      "priorityClass.value: 5 conflicts with priorityClass.create: false (the value belongs to an existing class)",
    ],
    [
      "the engines in the clients' namespace",
      { namespace: "runners" },
      'namespace: "runners" conflicts with clientNamespace (the controller, runners and engines namespaces must differ)',
    ],
  ])("%s fails synth naming the prop", (_, over, message) => {
    expect(errors((s) => engines(s, over))).toEqual([message]);
  });

  test("a release name too long for a tcp Service names the engines prop", () => {
    const [names] = engineNames("daemonset", "0.20.3");
    const long = { ...names, releaseName: `x${"a".repeat(60)}` };
    expect(errors((s) => engines(s, { engines: [long], transport: "tcp" }))).toEqual([
      expect.stringMatching(/^engines\[0\]\.releaseName: "xa+" makes engine Service name "xa+-tcp" invalid \(a Service name starts with a letter and has at most 63 characters\)$/),
    ]);
  });
});

describe("GithubRunners with typed props (no config file)", () => {
  const build = (stack: Construct, over: Partial<GithubRunnersProps> = {}) => {
    const namespaces = new RunnerNamespaces(stack, "ns", { controllerNamespace: "arc", runnersNamespace: "runners" });
    const e = engines(stack);
    return new GithubRunners(stack, "github", {
      github: { configUrl: "https://github.com/acme", pat: true },
      controller: { version: "0.14.2" },
      scaleSets: [
        { name: "ci-dagger", releaseName: "ci-dagger", version: "0.20.3", resources: { requests: { cpu: "1" } } },
        { name: "ci-dagger-gpu", releaseName: "ci-dagger-gpu", version: "0.20.3", nodeSelector: { pool: "gpu" }, maxRunners: 2 },
      ],
      namespaces,
      engines: e.specs,
      engineReleases: e.releases,
      pod: { nodeSelector: { pool: "runners" } },
      ...over,
    });
  };

  test("good props: a scale set per spec, wired to its engine, placed as given", () => {
    const json = synth((s) => build(s));
    const sets = Object.values<any>(json.resource.helm_release).filter((r) => r.chart === "gha-runner-scale-set");
    expect(sets.map((r) => r.name).sort()).toEqual(["ci-dagger", "ci-dagger-gpu"]);
    const values = (n: string) => JSON.parse(sets.find((r) => r.name === n).values[0]);
    const [plain, gpu] = [values("ci-dagger"), values("ci-dagger-gpu")];
    expect(plain.template.spec.nodeSelector).toEqual({ pool: "runners" });
    expect(gpu.template.spec.nodeSelector).toEqual({ pool: "gpu" });
    expect(gpu.maxRunners).toBe(2);
    expect(plain.template.spec.containers[0].resources).toEqual({ requests: { cpu: "1" } });
    const host = plain.template.spec.containers[0].env.find((v: any) => v.name === "_EXPERIMENTAL_DAGGER_RUNNER_HOST");
    expect(host.value).toBe("unix:///run/dagger/engine.sock");
    // Each scale set waits for its engine's release.
    expect(sets[0].depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.engines_release-v0-20-3_/)]));
  });

  test.each<[string, Partial<GithubRunnersProps>, string]>([
    [
      "a scale set on a version without engine",
      { scaleSets: [{ name: "x", releaseName: "x", version: "0.19.10" }] },
      'scaleSets[0].version: "0.19.10" has no engine (engines: 0.20.3)',
    ],
    [
      "a scale set naming an engine release that is not one of its version",
      { scaleSets: [{ name: "x", releaseName: "x", version: "0.20.3", engineRelease: "ci-v0-20-3-gpu" }] },
      'scaleSets[0].engineRelease: "ci-v0-20-3-gpu" is not an engine of version 0.20.3 (engines: ci-v0-20-3 (0.20.3))',
    ],
    [
      "a scale-set chart of another minor",
      { scaleSetChartVersion: "0.13.1" },
      'scaleSetChartVersion: "0.13.1" must match controller.version 0.14.2 (the controller rejects scale sets of another version; only the patch may differ, from 0.12.0 on)',
    ],
    [
      "multi-label on an old ARC",
      { labelStrategy: "multi-label", controller: { version: "0.13.1" } },
      'labelStrategy: "multi-label" needs ARC 0.14.0 or newer (controller.version is 0.13.1; scaleSetLabels arrived in 0.14.0)',
    ],
    [
      "a controller ServiceAccount named default",
      { controller: { version: "0.14.2", extraValues: { serviceAccount: { name: "default" } } } },
      'extraValues.serviceAccount.name: "default" must be a non-default ServiceAccount name (scale sets bind to it)',
    ],
  ])("%s fails synth naming the prop", (_, over, message) => {
    expect(errors((s) => build(s, over))).toEqual([message]);
  });

  test("a kube-pod engine granting exec to another ServiceAccount", () => {
    const got = errors((stack) => {
      const namespaces = new RunnerNamespaces(stack, "ns", { controllerNamespace: "arc", runnersNamespace: "runners" });
      const e = engines(stack, { mode: "statefulset", engines: engineNames("statefulset", "0.20.3") });
      new GithubRunners(stack, "github", {
        github: { configUrl: "https://github.com/acme", pat: true },
        controller: { version: "0.14.2" },
        scaleSets: [{ name: "x", releaseName: "x", version: "0.20.3" }],
        namespaces,
        engines: e.specs,
        pod: { serviceAccountName: "jobs" },
      });
    });
    expect(got).toEqual(['pod.serviceAccountName: "jobs" differs from the ServiceAccount "dagger-runner" the kube-pod engine 0.20.3 grants exec to (give the engine layer the same name)']);
  });
});

describe("lower constructs name their props", () => {
  test("RunnerNamespaces: one namespace for controller and runners", () => {
    expect(errors((s) => new RunnerNamespaces(s, "ns", { controllerNamespace: "ci", runnersNamespace: "ci" }))).toEqual([
      'controllerNamespace: "ci" conflicts with runnersNamespace (the controller, runners and engines namespaces must differ)',
    ]);
  });

  test("ArcController: the default ServiceAccount", () => {
    expect(errors((s) => new ArcController(s, "arc", { namespace: "arc", version: "0.14.2", extraValues: { serviceAccount: { name: "" } } }))).toEqual([
      'extraValues.serviceAccount.name: "" must be a non-default ServiceAccount name (scale sets bind to it)',
    ]);
  });

  const scaleSet = (over: Partial<RunnerScaleSetProps>) => (s: Construct) =>
    new RunnerScaleSet(s, "set", {
      releaseName: "ci-dagger",
      namespace: "runners",
      version: "0.14.2",
      configUrl: "https://github.com/acme",
      secretName: "gh",
      name: "ci-dagger",
      controllerServiceAccount: { name: "arc-gha-rs-controller", namespace: "arc" },
      template: { spec: { containers: [] } } as never,
      ...over,
    });

  test.each<[string, Partial<RunnerScaleSetProps>, string]>([
    ["more idle runners than runners", { minRunners: 5, maxRunners: 2 }, "minRunners: 5 is greater than maxRunners (2)"],
    ["idle runners above the default maximum", { minRunners: 11 }, "minRunners: 11 is greater than maxRunners (10)"],
    ["a name ARC refuses", { name: "n".repeat(46) }, `name: "${"n".repeat(46)}" makes scale-set name "${"n".repeat(46)}" 46 characters long (ARC allows at most 45)`],
    ["a release name Helm refuses", { releaseName: "Bad_Name" }, 'releaseName: "Bad_Name" makes Helm release name "Bad_Name" invalid (DNS-1123, at most 53 characters)'],
  ])("RunnerScaleSet: %s", (_, over, message) => {
    expect(errors(scaleSet(over))).toEqual([message]);
  });
});
