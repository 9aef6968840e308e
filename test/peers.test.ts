/**
 * Two deployments side by side (issue 12, part 6): `peers` names the other deployment's config;
 * synth refuses a peer that would collide on GitHub (a scale-set name in the same runner group),
 * in Terraform (the same name) or in a cluster (the same one), and accepts staging beside prod
 * once their labels differ, without changing prod's labels.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, loadConfig } from "../lib/config/load";
import { synthDeployment } from "../lib/app";
import { helmValues, resources, runScript, scratchDirs } from "./util";

const tmp = scratchDirs("peers-test-");
const ORG = "github: { configUrl: https://github.com/my-org, pat: true }";

/** Writes `files` (name -> YAML) into a fresh directory; returns its path. */
function write(files: Record<string, string>): string {
  const dir = tmp();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const PROD = `gcp: { projectId: prod-proj-123 }\n${ORG}\n`;

describe("peers: staging beside prod in one GitHub organization", () => {
  test("the same labels in the same runner group: refused, naming the peer, the scale set and the way out", () => {
    const dir = write({ "prod.yaml": PROD, "staging.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\n${ORG}\npeers: [prod.yaml]\n` });
    expect(() => loadConfig(path.join(dir, "staging.yaml"))).toThrow(ConfigError);
    expect(() => loadConfig(path.join(dir, "staging.yaml"))).toThrow(
      /^peers\[0\]: "prod\.yaml" registers scale set "dagger-v0\.20\.3" \(and 2 more\) in runner group "default" of https:\/\/github\.com\/my-org too \(ARC would reuse one scale set for both; set runners\.labelPrefix, e\.g\. "dagger-staging", or github\.runnerGroup\)$/,
    );
  });

  test("a label prefix or another runner group tells them apart; prod's labels do not change", () => {
    const dir = write({
      "prod.yaml": PROD,
      "staging.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\n${ORG}\nrunners: { labelPrefix: dagger-staging }\npeers: [prod.yaml]\n`,
      "staging-group.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\ngithub: { configUrl: https://github.com/my-org, pat: true, runnerGroup: staging }\npeers: [prod.yaml]\n`,
    });
    const staging = loadConfig(path.join(dir, "staging.yaml"));
    expect(Object.keys(staging.plan.runnerLabels).sort()).toEqual(["dagger-staging-latest", "dagger-staging-v0.20", "dagger-staging-v0.20.3"]);
    expect(Object.keys(loadConfig(path.join(dir, "staging-group.yaml")).plan.runnerLabels).sort()).toEqual(["dagger-latest", "dagger-v0.20", "dagger-v0.20.3"]);
    expect(Object.keys(loadConfig(path.join(dir, "prod.yaml")).plan.runnerLabels).sort()).toEqual(["dagger-latest", "dagger-v0.20", "dagger-v0.20.3"]);
  });

  test("another organization may use the same labels", () => {
    const dir = write({ "prod.yaml": PROD, "other.yaml": `name: dagger-other\ngcp: { projectId: stg-proj-123 }\ngithub: { configUrl: https://github.com/other-org, pat: true }\npeers: [prod.yaml]\n` });
    expect(loadConfig(path.join(dir, "other.yaml")).plan.runnerLabels["dagger-v0.20"]).toBe("0.20.3");
  });

  test.each([
    ["the same name", `gcp: { projectId: stg-proj-123 }\n${ORG}\nrunners: { labelPrefix: dagger-staging }\n`, /^peers\[0\]: "prod\.yaml" is named "dagger-runners" too \(the stacks dagger-runners-runners and the engine releases would be the same; set name to tell them apart\)$/],
    [
      "a second GKE deployment creating the same cluster",
      `name: dagger-staging\ngcp: { projectId: prod-proj-123 }\ncluster: { name: dagger-runners }\n${ORG}\nrunners: { labelPrefix: dagger-staging }\n`,
      /^target: "gke" creates cluster gke prod-proj-123\/us-central1\/dagger-runners, which peers\[0\] "prod\.yaml" creates too: deploy beside it with target: existing-cluster and kubernetes\.context: gke_prod-proj-123_us-central1_dagger-runners$/,
    ],
  ])("%s: refused", (_name, staging, message) => {
    const dir = write({ "prod.yaml": PROD, "staging.yaml": `${staging}peers: [prod.yaml]\n` });
    expect(() => loadConfig(path.join(dir, "staging.yaml"))).toThrow(message);
  });

  test("a peer that cannot be read or is not valid: one line naming peers[i]", () => {
    const dir = write({ "bad.yaml": "dagger: { versions: [nope] }\n", "a.yaml": "peers: [missing.yaml]\n", "b.yaml": "peers: [bad.yaml]\n" });
    expect(() => loadConfig(path.join(dir, "a.yaml"))).toThrow(/^peers\[0\]: "missing\.yaml" is not a usable peer config \(no such file\)$/);
    expect(() => loadConfig(path.join(dir, "b.yaml"))).toThrow(/^peers\[0\]: "bad\.yaml" is not a usable peer config \(dagger\.versions\[0\]: "nope" /);
  });

  test("through npm run synth: one line, exit 1, nothing written", async () => {
    const dir = write({ "prod.yaml": PROD, "staging.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\n${ORG}\npeers: [prod.yaml]\n` });
    const out = path.join(dir, "out");
    const r = await runScript("scripts/synth.ts", [], { RUNNERS_CONFIG: path.join(dir, "staging.yaml"), CDKTF_OUTDIR: out });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^error: peers\[0\]: "prod\.yaml" registers scale set "dagger-v0\.20\.3"/)]);
    expect(fs.existsSync(out)).toBe(false);
  });
});

/**
 * Sharing one cluster: prod creates its GKE cluster; staging deploys onto it as an existing
 * cluster (the context gcloud names `gke_<project>_<location>_<cluster>`), each ARC controller
 * watching only its runners namespace and prod alone installing ARC's CRDs.
 */
describe("peers: staging beside prod on one cluster", () => {
  const PROD_SHARED = `gcp: { projectId: prod-proj-123 }\n${ORG}\narc: { watchSingleNamespace: true }\n`;
  const CONTEXT = "gke_prod-proj-123_us-central1_dagger-runners";
  const STAGING_OK = [
    "name: dagger-staging",
    "target: existing-cluster",
    `kubernetes: { context: ${CONTEXT} }`,
    ORG,
    "arc: { watchSingleNamespace: true, installCrds: false, namespace: dagger-staging-arc }",
    "runners: { labelPrefix: dagger-staging, namespace: dagger-staging-runners }",
    "dagger: { engine: { namespace: dagger-staging-engines } }",
    "peers: [prod.yaml]",
    "",
  ].join("\n");

  /** Loads (with the peers check) and synthesizes `file`; returns its runners stack. */
  function synthRunners(file: string): any {
    const { config, plan } = loadConfig(file);
    const out = tmp();
    synthDeployment(config, plan, out);
    return JSON.parse(fs.readFileSync(path.join(out, "stacks", `${plan.name}-runners`, "cdk.tf.json"), "utf8"));
  }
  /** A namespace field as written in the stack: a name, or a reference to a namespace resource. */
  function nsName(stack: any, ns: string): string {
    const m = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(ns);
    if (!m) return ns;
    const md = resources(stack, "kubernetes_namespace_v1")[m[1]].metadata;
    return (Array.isArray(md) ? md[0] : md).name;
  }
  /** Every object the stack names in the cluster: `kind ns/name` (cluster-scoped: `kind /name`), Helm releases as `helm ns/name`. */
  function clusterNames(stack: any): string[] {
    const out: string[] = [];
    for (const [type, rs] of Object.entries<Record<string, any>>(stack.resource ?? {})) {
      for (const r of Object.values(rs)) {
        if (type === "helm_release") out.push(`helm ${nsName(stack, r.namespace)}/${r.name}`);
        else if (type === "kubernetes_manifest") out.push(`${r.manifest.kind} ${r.manifest.metadata.namespace ?? ""}/${r.manifest.metadata.name}`);
        else if (type.startsWith("kubernetes_")) {
          const md = Array.isArray(r.metadata) ? r.metadata[0] : r.metadata;
          out.push(`${type} ${md.namespace ? nsName(stack, md.namespace) : ""}/${md.name}`);
        }
      }
    }
    return out;
  }
  const controllerOf = (stack: any) => Object.values<any>(resources(stack, "helm_release")).find((r) => r.chart === "gha-runner-scale-set-controller");

  test("accepted: each controller watches its runners namespace, only prod installs the CRDs, no name in the cluster is claimed twice; prod's labels stay", () => {
    const dir = write({ "prod.yaml": PROD_SHARED, "staging.yaml": STAGING_OK });
    const prod = synthRunners(path.join(dir, "prod.yaml"));
    const staging = synthRunners(path.join(dir, "staging.yaml"));

    expect(helmValues(controllerOf(prod)).flags.watchSingleNamespace).toBe("arc-runners");
    expect(helmValues(controllerOf(staging)).flags.watchSingleNamespace).toBe("dagger-staging-runners");
    // CRDs: prod's arc-crds release; staging installs none (no release, the chart's crds/ skipped).
    const crdReleases = (stack: any) => Object.values<any>(resources(stack, "helm_release")).filter((r) => r.name === "arc-crds");
    expect(crdReleases(prod)).toHaveLength(1);
    expect(crdReleases(staging)).toEqual([]);
    expect(controllerOf(staging).skip_crds).toBe(true);
    expect(controllerOf(staging).depends_on).toBeUndefined();

    const p = clusterNames(prod);
    const s = clusterNames(staging);
    expect(p).toEqual(expect.arrayContaining(["kubernetes_namespace_v1 /arc-runners", "kubernetes_priority_class_v1 /dagger-runners-dagger-engine", "helm arc-systems/arc"]));
    expect(s).toEqual(expect.arrayContaining(["kubernetes_namespace_v1 /dagger-staging-runners", "kubernetes_priority_class_v1 /dagger-staging-dagger-engine", "helm dagger-staging-arc/arc"]));
    expect(s.filter((x) => p.includes(x))).toEqual([]);

    // Prod keeps its labels; staging's are its own.
    const labels = (stack: any) => Object.values<any>(resources(stack, "helm_release")).filter((r) => r.chart === "gha-runner-scale-set").map((r) => helmValues(r).runnerScaleSetName).sort();
    expect(labels(prod)).toEqual(["dagger-latest", "dagger-v0.20", "dagger-v0.20.3"]);
    expect(labels(staging)).toEqual(["dagger-staging-latest", "dagger-staging-v0.20", "dagger-staging-v0.20.3"]);
  });

  test("a deployment alone keeps the cluster-wide controller and its CRD release (no flag)", () => {
    const dir = write({ "prod.yaml": PROD });
    const prod = synthRunners(path.join(dir, "prod.yaml"));
    expect(helmValues(controllerOf(prod)).flags).not.toHaveProperty("watchSingleNamespace");
    expect(controllerOf(prod).depends_on).toHaveLength(1);
  });

  const edit = (from: string, to: string) => {
    expect(STAGING_OK).toContain(from);
    return STAGING_OK.replace(from, to);
  };
  test.each([
    [
      "staging's controller watches every namespace",
      PROD_SHARED,
      edit("watchSingleNamespace: true, ", ""),
      /^arc\.watchSingleNamespace: false but peers\[0\] "prod\.yaml" deploys on the same cluster \(gke prod-proj-123\/us-central1\/dagger-runners\): set it true in both, so each ARC controller reconciles only its own runners namespace \(a cluster-wide controller reconciles every deployment's scale sets, and two render the same ClusterRole arc-gha-rs-controller\)$/,
    ],
    [
      "prod's controller watches every namespace",
      PROD,
      STAGING_OK,
      /^peers\[0\]: "prod\.yaml" deploys on the same cluster \(gke prod-proj-123\/us-central1\/dagger-runners\) with a controller watching every namespace: set arc\.watchSingleNamespace: true there too \(it would reconcile this deployment's scale sets as well\)$/,
    ],
    [
      "a namespace of both",
      PROD_SHARED,
      edit("namespace: dagger-staging-runners", "namespace: arc-runners"),
      /^runners\.namespace: "arc-runners" is runners\.namespace of peers\[0\] "prod\.yaml" on the same cluster \(gke prod-proj-123\/us-central1\/dagger-runners\) too: each deployment needs namespaces of its own \(e\.g\. "dagger-staging-runners"\)$/,
    ],
    [
      "staging's engines in prod's controller namespace",
      PROD_SHARED,
      edit("namespace: dagger-staging-engines", "namespace: arc-systems"),
      /^dagger\.engine\.namespace: "arc-systems" is arc\.namespace of peers\[0\] "prod\.yaml" on the same cluster .* \(e\.g\. "dagger-staging-engines"\)$/,
    ],
    [
      "another ARC version",
      PROD_SHARED,
      edit("installCrds: false,", "installCrds: false, version: 0.14.1,"),
      /^arc\.version: "0\.14\.1" differs from peers\[0\] "prod\.yaml"'s "0\.14\.2" on the same cluster \(gke prod-proj-123\/us-central1\/dagger-runners\): ARC's CRDs are cluster-wide, at one version, so both deployments run the same arc\.version \(upgrade them together, the one that installs the CRDs first\)$/,
    ],
    [
      "both install the CRDs",
      PROD_SHARED,
      edit("installCrds: false, ", ""),
      /^arc\.installCrds: true but peers\[0\] "prod\.yaml" installs ARC's CRDs on the same cluster \(gke prod-proj-123\/us-central1\/dagger-runners\) too: exactly one deployment on a cluster installs them \(set arc\.installCrds: false in one of the two\)$/,
    ],
    [
      "neither installs the CRDs",
      `${PROD_SHARED.replace("watchSingleNamespace: true", "watchSingleNamespace: true, installCrds: false")}`,
      STAGING_OK,
      /^arc\.installCrds: false but no deployment on cluster gke prod-proj-123\/us-central1\/dagger-runners installs ARC's CRDs \(peers\[0\] "prod\.yaml" has arc\.installCrds: false\): exactly one must \(set it true here or in that peer\)$/,
    ],
    [
      "a context that does not name prod's cluster",
      PROD_SHARED,
      edit(`context: ${CONTEXT}`, "context: prod"),
      /^arc\.installCrds: false but none of peers deploys to this cluster \(kubeconfig ~\/\.kube\/config prod\), so nothing installs ARC's CRDs here: list the deployment that does \(on target gke its cluster, otherwise the same kubeconfig path and context or a gke_<project>_<location>_<cluster> context\)$/,
    ],
    [
      "one PriorityClass name created by both",
      PROD_SHARED,
      edit("dagger: { engine: { namespace: dagger-staging-engines } }", "dagger: { engine: { namespace: dagger-staging-engines, priorityClass: { name: dagger-runners-dagger-engine } } }"),
      /^dagger\.engine\.priorityClass\.name: "dagger-runners-dagger-engine" is created by peers\[0\] "prod\.yaml" on the same cluster \(gke prod-proj-123\/us-central1\/dagger-runners\) too: set another name, or create: false to use that class$/,
    ],
  ])("%s: refused in one line", (_name, prod, staging, message) => {
    const dir = write({ "prod.yaml": prod, "staging.yaml": staging });
    expect(() => loadConfig(path.join(dir, "staging.yaml"))).toThrow(message);
  });

  test("two existing-cluster deployments on one kubeconfig context; a third listed peer installing the CRDs too is named", () => {
    const ex = (name: string, ns: string, extra = "") =>
      `name: ${name}\ntarget: existing-cluster\nkubernetes: { context: shared }\n${ORG}\narc: { watchSingleNamespace: true, namespace: ${ns}-arc${extra} }\nrunners: { labelPrefix: ${name}, namespace: ${ns}-runners }\ndagger: { engine: { namespace: ${ns}-engines } }\n`;
    const dir = write({
      "a.yaml": ex("team-a", "a"),
      "b.yaml": ex("team-b", "b"),
      "c.yaml": `${ex("team-c", "c", ", installCrds: false")}peers: [a.yaml]\n`,
      "c2.yaml": `${ex("team-c", "c", ", installCrds: false")}peers: [a.yaml, b.yaml]\n`,
    });
    expect(loadConfig(path.join(dir, "c.yaml")).config.arc.installCrds).toBe(false);
    expect(() => loadConfig(path.join(dir, "c2.yaml"))).toThrow(
      /^peers\[1\]: "b\.yaml" installs ARC's CRDs on cluster kubeconfig ~\/\.kube\/config shared, as peers\[0\] "a\.yaml" does: exactly one deployment on a cluster installs them \(set arc\.installCrds: false in one of the two\)$/,
    );
  });

  test("arc.installCrds: false without peers: a warning; a watched namespace set through controllerValues must be the runners namespace", () => {
    const dir = write({
      "alone.yaml": `name: dagger-staging\ntarget: existing-cluster\n${ORG}\narc: { installCrds: false }\n`,
      "values.yaml": `target: existing-cluster\n${ORG}\narc: { controllerValues: { flags: { watchSingleNamespace: elsewhere } } }\n`,
    });
    expect(loadConfig(path.join(dir, "alone.yaml")).plan.warnings).toContain(
      "arc.installCrds is false and peers is empty: another deployment on this cluster must install ARC's CRDs at arc.version 0.14.2; list its config in peers so synth checks it does",
    );
    expect(() => loadConfig(path.join(dir, "values.yaml"))).toThrow(
      /^arc\.controllerValues\.flags\.watchSingleNamespace: "elsewhere" is not the runners namespace \("arc-runners"\), where the scale sets are: the controller would not reconcile them \(watch only the runners namespace\)$/,
    );
  });
});
