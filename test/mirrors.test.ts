/**
 * Private mirrors (`mirrors.*`): the pure rewriting rule, the artifact plan (explicit images
 * win), and synthesized stacks in which no public registry appears anywhere.
 *
 * Upstream facts asserted (charts at their release tags in ../shared/charts): the Dagger chart's
 * image is `engine.image.ref` (default `registry.dagger.io/engine:v<chart version>`) with
 * `engine.imagePullSecrets`; the ARC controller chart 0.14.2 renders
 * `<image.repository>:<image.tag>` and its `imagePullSecrets` on the controller and, as
 * `--auto-scaler-image-pull-secrets`, on the listeners, which run the controller's image.
 */
import { parseConfig } from "../lib/config/load";
import { mirrorChartRepository, mirrorImage, parseImageReference, planArtifacts } from "../lib/planning/mirrors";
import { artifactTable, renderReport, reportJson } from "../lib/report";
import { Synthesized, configError, helmValues, resources, runScript, synthConfig } from "./util";

const MIRROR = "registry.corp.example:5000/mirror";
const CHARTS = "oci://registry.corp.example:5000/charts";
const MIRRORS = { images: { registry: MIRROR, pullSecrets: ["mirror-pull"] }, charts: { dagger: CHARTS, arc: `${CHARTS}/arc` } };
const GITHUB = { configUrl: "https://github.com/acme", app: { id: 1, installationId: 2 } };

/** Every public registry a default image or chart comes from, and a few more that must not appear. */
const PUBLIC = ["registry.dagger.io", "ghcr.io", "docker.io", "registry.k8s.io", "quay.io", "gcr.io", "k8s.gcr.io", "mcr.microsoft.com", "public.ecr.aws"];

describe("parseImageReference: Docker's normalization", () => {
  test.each([
    ["registry.dagger.io/engine:v0.20.3", "registry.dagger.io", "engine", ":v0.20.3"],
    ["ghcr.io/actions/actions-runner:2.333.1", "ghcr.io", "actions/actions-runner", ":2.333.1"],
    ["docker.io/library/busybox:1.37.0-musl", "docker.io", "library/busybox", ":1.37.0-musl"],
    ["registry.k8s.io/kubectl:v1.34.9", "registry.k8s.io", "kubectl", ":v1.34.9"],
    ["busybox:1.37.0-musl", "docker.io", "library/busybox", ":1.37.0-musl"],
    ["bitnami/kubectl:1.34", "docker.io", "bitnami/kubectl", ":1.34"],
    ["index.docker.io/library/busybox:1", "docker.io", "library/busybox", ":1"],
    ["localhost:5000/tools/kubectl:v1", "localhost:5000", "tools/kubectl", ":v1"],
    ["localhost/kubectl", "localhost", "kubectl", ""],
    [`ghcr.io/a/b@sha256:${"0".repeat(64)}`, "ghcr.io", "a/b", `@sha256:${"0".repeat(64)}`],
    [`host:443/a/b:1.0@sha256:${"1".repeat(64)}`, "host:443", "a/b", `:1.0@sha256:${"1".repeat(64)}`],
  ])("%s", (ref, registry, repository, suffix) => {
    expect(parseImageReference(ref)).toEqual({ registry, repository, suffix });
  });
});

describe("mirrorImage: drop the upstream host, keep repository path and tag", () => {
  test.each([
    ["registry.dagger.io/engine:v0.20.3", `${MIRROR}/engine:v0.20.3`],
    ["ghcr.io/actions/actions-runner:2.333.1", `${MIRROR}/actions/actions-runner:2.333.1`],
    ["docker.io/library/busybox:1.37.0-musl", `${MIRROR}/library/busybox:1.37.0-musl`],
    ["registry.k8s.io/kubectl:v1.34.9", `${MIRROR}/kubectl:v1.34.9`],
    ["ghcr.io/actions/gha-runner-scale-set-controller:0.14.2", `${MIRROR}/actions/gha-runner-scale-set-controller:0.14.2`],
    ["ghcr.io/actions/gha-runner-scale-set-controller", `${MIRROR}/actions/gha-runner-scale-set-controller`],
    ["busybox:1.37.0-musl", `${MIRROR}/library/busybox:1.37.0-musl`],
  ])("%s", (upstream, mirrored) => {
    expect(mirrorImage(upstream, MIRROR)).toBe(mirrored);
  });

  test("a host-only registry, and no registry at all", () => {
    expect(mirrorImage("registry.k8s.io/kubectl:v1.34.9", "harbor.example.com")).toBe("harbor.example.com/kubectl:v1.34.9");
    expect(mirrorImage("registry.k8s.io/kubectl:v1.34.9", undefined)).toBe("registry.k8s.io/kubectl:v1.34.9");
  });

  test("chart repositories: the mirror replaces the upstream repository", () => {
    expect(mirrorChartRepository("oci://registry.dagger.io", CHARTS)).toBe(CHARTS);
    expect(mirrorChartRepository("oci://ghcr.io/actions/actions-runner-controller-charts", undefined)).toBe(
      "oci://ghcr.io/actions/actions-runner-controller-charts",
    );
  });
});

describe("the artifact plan", () => {
  test("defaults: every image and chart at its public upstream location", () => {
    const a = parseConfig({}).plan.artifacts;
    expect(a.images.map((i) => [i.location, i.source, i.usedBy.join(", ")])).toEqual([
      ["registry.dagger.io/engine:v0.20.3", "default", "engine 0.20.3 pods, runner pods (dagger CLI)"],
      ["ghcr.io/actions/actions-runner:2.333.1", "default", "runner pods"],
      ["docker.io/library/busybox:1.37.0-musl", "default", "runner pods (copy tool)"],
      ["registry.k8s.io/kubectl:v1.34.9", "default", "cleanup CronJob"],
      ["ghcr.io/actions/gha-runner-scale-set-controller:0.14.2", "default", "ARC controller and listeners"],
    ]);
    expect(a.charts.map((c) => [c.location, c.version])).toEqual([
      ["oci://registry.dagger.io/dagger-helm", "0.20.3"],
      ["oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set-controller", "0.14.2"],
      ["oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set", "0.14.2"],
    ]);
    expect(a.engineImageOverrides).toEqual({});
    expect(a.controllerImage.setInValues).toBe(false);
    expect(a.pullSecrets).toEqual([]);
    expect(a.pullSecretNamespaces).toEqual([]);
  });

  test("with mirrors: every default image and chart moves to the mirror, upstream kept for reference", () => {
    const { plan } = parseConfig({ dagger: { versions: ["0.19.10", "0.20.3"], engine: { mode: "statefulset" } }, mirrors: MIRRORS });
    const a = plan.artifacts;
    for (const i of a.images) {
      expect(i.location.startsWith(`${MIRROR}/`)).toBe(true);
      expect(i.source).toBe("mirrors.images.registry");
      expect(i.location).toBe(mirrorImage(i.upstream, MIRROR));
    }
    // kube-pod runners copy kubectl, and the cleanup job runs the same image: listed once.
    expect(a.images.find((i) => i.location === `${MIRROR}/kubectl:v1.34.9`)?.usedBy).toEqual(["runner pods (kubectl)", "cleanup CronJob"]);
    expect(a.charts.map((c) => `${c.location}:${c.version}`)).toEqual([
      `${CHARTS}/dagger-helm:0.19.10`,
      `${CHARTS}/dagger-helm:0.20.3`,
      `${CHARTS}/arc/gha-runner-scale-set-controller:0.14.2`,
      `${CHARTS}/arc/gha-runner-scale-set:0.14.2`,
    ]);
    expect(a.engineImageOverrides).toEqual({ "0.19.10": `${MIRROR}/engine:v0.19.10`, "0.20.3": `${MIRROR}/engine:v0.20.3` });
    expect(a.controllerImage).toEqual({ repository: `${MIRROR}/actions/gha-runner-scale-set-controller`, tag: "0.14.2", setInValues: true });
    expect(a.pullSecretNamespaces).toEqual(["dagger-engines", "arc-systems", "arc-runners"]);
    expect(plan.warnings.filter((w) => /mirrors/.test(w))).toEqual([]);
  });

  test("explicit images win as written (never rewritten), with a warning when outside the mirror", () => {
    const { config, plan } = parseConfig({
      dagger: { versions: ["0.19.10", "0.20.3"], engine: { image: { "0.20.3": "ghcr.io/acme/engine:v0.20.3" }, imagePullSecrets: ["engine-pull", "mirror-pull"] } },
      runners: { image: "ghcr.io/actions/actions-runner:2.334.0", copyToolImage: `${MIRROR}/tools/busybox:1.37`, cleanup: { image: "docker.io/acme/kubectl:v2" } },
      arc: { controllerValues: { image: { tag: "0.14.2-patched" } } },
      mirrors: MIRRORS,
    });
    const a = planArtifacts(config, ["0.19.10", "0.20.3"], 6, "unix");
    expect(a.engineImages).toEqual({ "0.19.10": `${MIRROR}/engine:v0.19.10`, "0.20.3": "ghcr.io/acme/engine:v0.20.3" });
    expect(a.runnerImage).toBe("ghcr.io/actions/actions-runner:2.334.0");
    expect(a.copyToolImage).toBe(`${MIRROR}/tools/busybox:1.37`);
    expect(a.cleanupImage).toBe("docker.io/acme/kubectl:v2");
    expect(a.kubectlImage).toBe(`${MIRROR}/kubectl:v1.34.9`); // daemonset/unix: unused, not listed
    expect(a.images.map((i) => i.location)).not.toContain(`${MIRROR}/kubectl:v1.34.9`);
    expect(a.controllerImage).toEqual({ repository: `${MIRROR}/actions/gha-runner-scale-set-controller`, tag: "0.14.2-patched", setInValues: true });
    expect(a.enginePullSecrets).toEqual(["engine-pull", "mirror-pull"]);
    expect(a.images.find((i) => i.location === "ghcr.io/acme/engine:v0.20.3")?.source).toBe("dagger.engine.image");
    // The plan (and so the report) says which pinned images are outside the mirror; the copy
    // tool and the controller (only its tag pinned) stay inside it and need no warning.
    expect(plan.warnings.filter((w) => /mirrors\.images\.registry/.test(w))).toEqual([
      `dagger.engine.image: "ghcr.io/acme/engine:v0.20.3" is pinned explicitly and used as written, outside mirrors.images.registry (${MIRROR}): make sure the cluster can pull it`,
      `runners.image: "ghcr.io/actions/actions-runner:2.334.0" is pinned explicitly and used as written, outside mirrors.images.registry (${MIRROR}): make sure the cluster can pull it`,
      `runners.cleanup.image: "docker.io/acme/kubectl:v2" is pinned explicitly and used as written, outside mirrors.images.registry (${MIRROR}): make sure the cluster can pull it`,
    ]);
    // A pinned controller repository outside the mirror is warned about too.
    const pinnedController = parseConfig({ arc: { controllerValues: { image: { repository: "ghcr.io/acme/arc" } } }, mirrors: MIRRORS }).plan;
    expect(pinnedController.warnings).toContainEqual(
      `arc.controllerValues.image: "ghcr.io/acme/arc:0.14.2" is pinned explicitly and used as written, outside mirrors.images.registry (${MIRROR}): make sure the cluster can pull it`,
    );
  });

  test("without a registry, explicit images are not warned about", () => {
    const { plan } = parseConfig({ runners: { image: "ghcr.io/actions/actions-runner:2.334.0" } });
    expect(plan.warnings.filter((w) => /pinned explicitly/.test(w))).toEqual([]);
    expect(plan.artifacts.runnerImage).toBe("ghcr.io/actions/actions-runner:2.334.0");
  });
});

describe("mirror config validation: one line naming key, value and what is allowed", () => {
  test.each([
    [
      { mirrors: { images: { registry: "https://registry.corp.example/mirror" } } },
      'mirrors.images.registry: "https://registry.corp.example/mirror" has a URL scheme (expected host[:port][/path] without one, e.g. registry.example.com/mirror)',
    ],
    [
      { mirrors: { images: { registry: "registry.corp.example/mirror/" } } },
      'mirrors.images.registry: "registry.corp.example/mirror/" is not a registry location (expected host[:port][/path] with a lowercase path and no tag or trailing /, e.g. registry.example.com/mirror)',
    ],
    [
      { mirrors: { images: { registry: "registry.corp.example/Mirror" } } },
      'mirrors.images.registry: "registry.corp.example/Mirror" is not a registry location (expected host[:port][/path] with a lowercase path and no tag or trailing /, e.g. registry.example.com/mirror)',
    ],
    [
      { mirrors: { charts: { arc: "https://charts.corp.example/arc" } } },
      'mirrors.charts.arc: "https://charts.corp.example/arc" is not an OCI chart repository (expected oci://host[:port][/path] with a lowercase path and no trailing /, e.g. oci://registry.example.com/charts)',
    ],
    [
      { mirrors: { charts: { dagger: "oci://registry.corp.example/charts/dagger-helm/" } } },
      'mirrors.charts.dagger: "oci://registry.corp.example/charts/dagger-helm/" is not an OCI chart repository (expected oci://host[:port][/path] with a lowercase path and no trailing /, e.g. oci://registry.example.com/charts)',
    ],
    [{ mirrors: { images: { pullSecrets: ["a", "b", "a"] } } }, 'mirrors.images.pullSecrets[2]: "a" duplicates mirrors.images.pullSecrets[0]'],
    [
      { mirrors: { images: { pullSecrets: ["Mirror_Pull"] } } },
      'mirrors.images.pullSecrets[0]: "Mirror_Pull" is not a valid Secret name (lowercase letters, digits, "-" and ".")',
    ],
    [{ mirrors: { image: {} } }, 'mirrors.image: unknown key (allowed here: images, charts); did you mean "images"?'],
  ])("%j", (raw, line) => {
    expect(configError(raw)).toBe(line);
  });

  test("good values are accepted", () => {
    for (const registry of ["harbor.corp.example", "registry.corp.example:5000/a/b-c/d_e", "localhost:5000", "europe-west1-docker.pkg.dev/my-project/mirror"]) {
      expect(configError({ mirrors: { images: { registry } } })).toBe("(no error)");
    }
    expect(configError({ mirrors: { charts: { dagger: "oci://localhost:5000", arc: "oci://harbor.corp.example/proxy/arc" } } })).toBe("(no error)");
  });
});

/** Every `image`-like value (container images, Helm `image.ref`, `image.repository`) in a JSON tree. */
function imageValues(node: unknown, key = ""): string[] {
  if (typeof node === "string") return key === "image" || key === "ref" || key === "repository" ? [node] : [];
  if (Array.isArray(node)) return node.flatMap((x) => imageValues(x, key));
  if (node && typeof node === "object") {
    return Object.entries(node).flatMap(([k, v]) => {
      // Helm values are JSON strings inside the release.
      if (k === "values" && Array.isArray(v)) return v.flatMap((x) => imageValues(JSON.parse(String(x))));
      return imageValues(v, k);
    });
  }
  return [];
}

const CONFIGS: Record<string, unknown> = {
  "gke, daemonset engines (unix), cleanup": { github: GITHUB, mirrors: MIRRORS },
  "existing cluster, statefulset engines (kube-pod), two versions, multi-label": {
    target: "existing-cluster",
    github: GITHUB,
    arc: { labelStrategy: "multi-label" },
    dagger: { versions: ["0.19.10", "0.20.3"], engine: { mode: "statefulset" } },
    mirrors: MIRRORS,
  },
  "gke with a gpu pool, tcp engines, Dagger Cloud": {
    github: GITHUB,
    cluster: { nodePools: { gpu: { accelerator: { type: "nvidia-l4" } } } },
    runners: { sizes: { "": { requests: { cpu: "500m", memory: "1Gi" } }, gpu: { requests: { cpu: "2", memory: "8Gi" } } } },
    dagger: { engine: { transport: "tcp", cloud: { enabled: true } } },
    mirrors: MIRRORS,
  },
  "gke with a gpu pool, GPU engines as StatefulSets (kube-pod)": {
    github: GITHUB,
    cluster: { nodePools: { gpu: { accelerator: { type: "nvidia-l4" } } } },
    runners: { sizes: { "": { requests: { cpu: "500m", memory: "1Gi" } }, gpu: { requests: { cpu: "2", memory: "8Gi" } } } },
    dagger: { engine: { mode: "statefulset" } },
    mirrors: MIRRORS,
  },
};

describe.each(Object.entries(CONFIGS))("synthesized with mirrors: %s", (_name, raw) => {
  let s: Synthesized;
  let runners: any;
  beforeAll(() => {
    s = synthConfig(raw);
    runners = Object.entries(s.stacks).find(([n]) => n.endsWith("-runners"))![1];
  });

  test("no public registry appears anywhere in any stack", () => {
    const found = PUBLIC.filter((host) => s.text.includes(host));
    expect(found).toEqual([]);
    expect(s.text).not.toMatch(/oci:\/\/(?!registry\.corp\.example:5000\/)/);
  });

  test("every image is the mirror's, and every chart comes from the mirror repositories", () => {
    const images = [...new Set(Object.values(s.stacks).flatMap((st) => imageValues(st.resource)))];
    expect(images.length).toBeGreaterThanOrEqual(5);
    expect(images.filter((i) => !i.startsWith(`${MIRROR}/`) && !i.startsWith("oci://"))).toEqual([]);
    const all = Object.values<any>(resources(runners, "helm_release"));
    // ARC's CRD chart is bundled in the stack output (lib/constructs/arc-crds.ts): nothing to pull.
    expect(all.filter((r) => r.repository === undefined).map((r) => r.name)).toEqual(["arc-crds"]);
    const releases = all.filter((r) => r.repository !== undefined);
    expect(new Set(releases.map((r) => `${r.repository} ${r.chart === "dagger-helm" ? "dagger" : "arc"}`))).toEqual(
      new Set([`${CHARTS} dagger`, `${CHARTS}/arc arc`]),
    );
  });

  test("the engine image is set explicitly in the Dagger chart values; the controller image in the controller's", () => {
    const releases = Object.values<any>(resources(runners, "helm_release"));
    for (const r of releases.filter((x) => x.chart === "dagger-helm")) {
      // A GPU engine (release `<name>-v<version>-gpu`) runs the mirrored GPU variant.
      const tag = r.name.endsWith("-gpu") ? `v${r.version}-gpu` : `v${r.version}`;
      expect(helmValues(r).engine.image).toEqual({ ref: `${MIRROR}/engine:${tag}` });
    }
    const controller = helmValues(releases.find((x) => x.chart === "gha-runner-scale-set-controller"));
    expect(controller.image).toEqual({ repository: `${MIRROR}/actions/gha-runner-scale-set-controller`, tag: "0.14.2" });
  });

  test("the pull Secret is on every pod the deployment runs", () => {
    const releases = Object.values<any>(resources(runners, "helm_release"));
    const secret = [{ name: "mirror-pull" }];
    for (const r of releases) {
      if (r.name === "arc-crds") continue; // CRDs only: no pod
      const v = helmValues(r);
      if (r.chart === "dagger-helm") expect(v.engine.imagePullSecrets).toEqual(secret);
      else if (r.chart === "gha-runner-scale-set-controller") expect(v.imagePullSecrets).toEqual(secret); // controller and listeners
      else expect(v.template.spec.imagePullSecrets).toEqual(secret);
    }
    for (const c of Object.values<any>(resources(runners, "kubernetes_cron_job_v1"))) {
      expect(c.spec.job_template.spec.template.spec.image_pull_secrets).toEqual(secret);
    }
  });
});

describe("defaults are unchanged", () => {
  let s: Synthesized;
  let runners: any;
  beforeAll(() => {
    s = synthConfig({});
    runners = s.stacks["dagger-runners-runners"];
  });

  test("the default output does name the public registries (so the scan above can fail)", () => {
    for (const host of ["registry.dagger.io", "ghcr.io", "docker.io", "registry.k8s.io", "oci://registry.dagger.io"]) expect(s.text).toContain(host);
  });

  test("the chart renders its own engine and controller images; upstream chart repositories; no pull Secrets", () => {
    const releases = Object.values<any>(resources(runners, "helm_release"));
    const engine = helmValues(releases.find((r) => r.chart === "dagger-helm"));
    expect(engine.engine.image).toBeUndefined();
    expect(engine.engine.imagePullSecrets).toBeUndefined();
    const controller = helmValues(releases.find((r) => r.chart === "gha-runner-scale-set-controller"));
    expect(controller.image).toBeUndefined();
    expect(controller.imagePullSecrets).toBeUndefined();
    // undefined: ARC's CRD chart, bundled in the stack output (lib/constructs/arc-crds.ts).
    expect(new Set(releases.map((r) => r.repository))).toEqual(new Set(["oci://registry.dagger.io", "oci://ghcr.io/actions/actions-runner-controller-charts", undefined]));
    for (const r of releases.filter((x) => x.chart === "gha-runner-scale-set")) {
      const t = helmValues(r).template.spec;
      expect(t.imagePullSecrets).toBeUndefined();
      expect(t.initContainers.map((c: any) => c.image)).toEqual([
        "docker.io/library/busybox:1.37.0-musl",
        "registry.dagger.io/engine:v0.20.3",
        "ghcr.io/actions/actions-runner:2.333.1", // wait-for-engine
      ]);
    }
    const [cron] = Object.values<any>(resources(runners, "kubernetes_cron_job_v1"));
    expect(cron.spec.job_template.spec.template.spec.image_pull_secrets).toBeUndefined();
  });
});

describe("the report lists every image and chart", () => {
  test("human report: final locations, chart versions, and with mirrors the upstream to copy from", () => {
    const def = renderReport(parseConfig({}).plan);
    expect(def).toContain("Images and charts");
    expect(def).toMatch(/^image +registry\.k8s\.io\/kubectl:v1\.34\.9 +- +cleanup CronJob$/m);
    expect(def).toMatch(/^chart +oci:\/\/registry\.dagger\.io\/dagger-helm +0\.20\.3 +engine 0\.20\.3$/m);
    expect(def).not.toContain("UPSTREAM");

    const { plan } = parseConfig({ mirrors: MIRRORS });
    const table = artifactTable(plan);
    expect(table.split("\n")[0]).toMatch(/^KIND +LOCATION +VERSION +USED BY +UPSTREAM$/);
    expect(table).toMatch(new RegExp(`^image +${MIRROR.replace(/\./g, "\\.")}/library/busybox:1\\.37\\.0-musl +- +runner pods \\(copy tool\\) +docker\\.io/library/busybox:1\\.37\\.0-musl$`, "m"));
    expect(table).toMatch(/^chart +oci:\/\/registry\.corp\.example:5000\/charts\/arc\/gha-runner-scale-set +0\.14\.2 +3 scale sets +oci:\/\/ghcr\.io\/actions\/actions-runner-controller-charts\/gha-runner-scale-set$/m);
    expect(renderReport(plan)).toContain("Image pull Secrets (create them in namespaces dagger-engines, arc-systems, arc-runners): mirror-pull");
  });

  test("reportJson carries the images and charts", () => {
    const { config, plan } = parseConfig({ mirrors: MIRRORS });
    const json = JSON.parse(JSON.stringify(reportJson("x.yaml", plan)));
    expect(json.artifacts.images.map((i: any) => i.location)).toContain(`${MIRROR}/actions/actions-runner:2.333.1`);
    expect(json.artifacts.charts.map((c: any) => [c.chart, c.version, c.repository])).toContainEqual(["dagger-helm", "0.20.3", CHARTS]);
  });

  test("npm run report -- --json prints them (the example config)", async () => {
    const r = await runScript("scripts/report.ts", ["--json"], { RUNNERS_CONFIG: "examples/private-mirror.yaml" });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const images: string[] = json.artifacts.images.map((i: any) => i.location);
    expect(images).toEqual([
      "registry.corp.example/mirror/engine:v0.19.11",
      "registry.corp.example/mirror/engine:v0.20.3",
      "registry.corp.example/mirror/actions/actions-runner:2.333.1",
      "registry.corp.example/mirror/library/busybox:1.37.0-musl",
      "registry.corp.example/mirror/kubectl:v1.34.9",
      "registry.corp.example/mirror/actions/gha-runner-scale-set-controller:0.14.2",
    ]);
    expect(json.artifacts.charts.map((c: any) => `${c.location}:${c.version} <- ${c.upstream}`)).toEqual([
      "oci://registry.corp.example/charts/dagger-helm:0.19.11 <- oci://registry.dagger.io/dagger-helm",
      "oci://registry.corp.example/charts/dagger-helm:0.20.3 <- oci://registry.dagger.io/dagger-helm",
      "oci://registry.corp.example/charts/gha-runner-scale-set-controller:0.14.2 <- oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set-controller",
      "oci://registry.corp.example/charts/gha-runner-scale-set:0.14.2 <- oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set",
    ]);
  });
});
