/**
 * `npm run impact`: each case of issue 12 synthesizes a config and a changed one in this process
 * and asserts both what changes in the synthesized output and the verdict. Each config is
 * synthesized once and shared between the cases that use it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../lib/config/load";
import { synthDeployment } from "../lib/app";
import { readOutputDir } from "../lib/impact/sides";
import { Impact, ImpactSide, assessImpact } from "../lib/impact/assess";
import { diffResources } from "../lib/impact/diff";
import { renderImpact } from "../lib/impact/render";
import { helmValues, runScript, scratchDirs } from "./util";

const scratch = scratchDirs("impact-test-");
const GKE = { gcp: { projectId: "my-proj-123" } };
const STS = { ...GKE, dagger: { versions: ["0.20.3"], engine: { mode: "statefulset", cache: { size: "100Gi" } } } };
const STS_POOL = { ...STS, cluster: { nodePools: { engines: {} } } };

const CONFIGS: Record<string, unknown> = {
  base: { ...GKE, dagger: { versions: ["0.20.3"] } },
  patch: { ...GKE, dagger: { versions: ["0.20.3", "0.20.4"] } },
  drain: { ...GKE, dagger: { versions: ["0.20.3", "0.20.4"], draining: ["0.20.3"] } },
  removed: { ...GKE, dagger: { versions: ["0.20.4"] } },
  arcOld: { ...GKE, arc: { version: "0.14.1" }, dagger: { versions: ["0.20.3"] } },
  arcMinor: { ...GKE, arc: { version: "0.13.1" }, dagger: { versions: ["0.20.3"] } },
  // Beside a deployment on the same cluster (docs/runners.md, "On one cluster").
  shared: { ...GKE, arc: { watchSingleNamespace: true }, dagger: { versions: ["0.20.3"] } },
  sharedNoCrds: { ...GKE, arc: { watchSingleNamespace: true, installCrds: false }, dagger: { versions: ["0.20.3"] } },
  sharedNoCrdsOld: { ...GKE, arc: { version: "0.14.1", watchSingleNamespace: true, installCrds: false }, dagger: { versions: ["0.20.3"] } },
  resources: { ...GKE, dagger: { versions: ["0.20.3"], engine: { resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "8Gi" } } } } },
  sts: STS,
  stsSize: { ...STS, dagger: { ...STS.dagger, engine: { ...STS.dagger.engine, cache: { size: "200Gi" } } } },
  stsClass: { ...STS, dagger: { ...STS.dagger, engine: { ...STS.dagger.engine, cache: { size: "100Gi", storageClass: "premium-rwo" } } } },
  stsPool: STS_POOL,
  stsPoolPatch: { ...STS_POOL, dagger: { ...STS.dagger, versions: ["0.20.3", "0.20.4"] } },
  region: { gcp: { projectId: "my-proj-123", region: "europe-west1" }, dagger: { versions: ["0.20.3"] } },
  unprotected: { ...GKE, cluster: { deletionProtection: false }, dagger: { versions: ["0.20.3"] } },
  unprotectedRegion: { gcp: { projectId: "my-proj-123", region: "europe-west1" }, cluster: { deletionProtection: false }, dagger: { versions: ["0.20.3"] } },
  multi: { ...GKE, arc: { labelStrategy: "multi-label" }, dagger: { versions: ["0.20.3"] } },
  multiPatch: { ...GKE, arc: { labelStrategy: "multi-label" }, dagger: { versions: ["0.20.3", "0.20.4"] } },
  multiDrain: { ...GKE, arc: { labelStrategy: "multi-label" }, dagger: { versions: ["0.20.3", "0.20.4"], draining: ["0.20.3"] } },
  multiRemoved: { ...GKE, arc: { labelStrategy: "multi-label" }, dagger: { versions: ["0.20.4"] } },
  runnerBump: { ...GKE, dagger: { versions: ["0.20.3"] }, runners: { image: "ghcr.io/actions/actions-runner:2.336.0" } },
  prefixed: { ...GKE, dagger: { versions: ["0.20.3"] }, runners: { labelPrefix: "dagger-staging" } },
  window: {
    ...GKE,
    dagger: { versions: ["0.20.3"] },
    cluster: { maintenanceWindow: { startTime: "2026-01-03T00:00:00Z", endTime: "2026-01-03T18:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" } },
  },
  warm: { ...GKE, dagger: { versions: ["0.20.3"] }, runners: { minRunners: 1 } },
  warmMore: { ...GKE, dagger: { versions: ["0.20.3"] }, runners: { minRunners: 1, maxRunners: 12 } },
  warmImmediate: { ...GKE, arc: { updateStrategy: "immediate" }, dagger: { versions: ["0.20.3"] }, runners: { minRunners: 1 } },
  warmImmediateMore: { ...GKE, arc: { updateStrategy: "immediate" }, dagger: { versions: ["0.20.3"] }, runners: { minRunners: 1, maxRunners: 12 } },
  // The system pool is on by default: these start without it and add it back.
  noSystem: { ...GKE, cluster: { nodePools: { system: false } }, dagger: { versions: ["0.20.3"] } },
  system: { ...GKE, dagger: { versions: ["0.20.3"] } },
  warmNoSystem: { ...GKE, runners: { minRunners: 1 }, cluster: { nodePools: { system: false } }, dagger: { versions: ["0.20.3"] } },
  warmSystem: { ...GKE, runners: { minRunners: 1 }, dagger: { versions: ["0.20.3"] } },
};

const sides = new Map<string, ImpactSide>();
/** The synthesized side of a named config (synthesized on first use). */
function side(name: string): ImpactSide {
  let s = sides.get(name);
  if (!s) {
    const { config, plan } = parseConfig(CONFIGS[name]);
    const dir = scratch();
    synthDeployment(config, plan, dir);
    s = readOutputDir(dir, `${name}.yaml`);
    sides.set(name, s);
  }
  return s;
}
const impact = (a: string, b: string): Impact => assessImpact(side(a), side(b));

/** The helm_release of a side whose Helm release name is `name`. */
function release(s: ImpactSide, name: string): any {
  for (const st of s.stacks) for (const r of Object.values(st.json.resource?.helm_release ?? {})) if ((r as any).name === name) return r;
  return undefined;
}
const texts = (i: Impact, severity?: string) => i.findings.filter((f) => !severity || f.severity === severity).map((f) => f.text);

describe("version lifecycle", () => {
  test("add a patch version: a new engine and scale set, the aliases move; safe (the engines' class never preempts a runner)", () => {
    expect(release(side("base"), "dagger-runners-v0-20-4")).toBeUndefined();
    expect(release(side("patch"), "dagger-runners-v0-20-4")).toMatchObject({ chart: "dagger-helm", version: "0.20.4" });
    const alias = (s: string) => JSON.stringify(helmValues(release(side(s), "dagger-v0-20")).template);
    expect(alias("base")).toContain("engine:v0.20.3");
    expect(alias("patch")).toContain("engine:v0.20.4");

    const i = impact("base", "patch");
    expect(i.verdict).toBe("safe");
    expect(i.exitCode).toBe(0);
    expect(i.resources.filter((r) => r.action === "delete" || r.action === "replace")).toEqual([]);
    expect(texts(i, "safe")).toEqual(
      expect.arrayContaining([
        "new runner labels: dagger-v0.20.4",
        "dagger-v0.20, dagger-latest move to engine 0.20.4 (from 0.20.3)",
        expect.stringMatching(/^engine 0\.20\.4 is created: a DaemonSet on every node of pool runners \(1-5 nodes\)$/),
        expect.stringMatching(/^new runner spec for dagger-latest, dagger-v0\.20: ARC \(update strategy eventual\)/),
      ]),
    );
    // The engines' PriorityClass has preemptionPolicy Never: the new engine pod waits for room.
    expect(texts(i, "disruptive")).toEqual([]);
  });

  test("add a patch version with StatefulSet engines on their own pool: safe (no runner shares the engines' nodes)", () => {
    expect(release(side("stsPoolPatch"), "dagger-runners-v0-20-4")).toBeDefined();
    const i = impact("stsPool", "stsPoolPatch");
    expect(i.verdict).toBe("safe");
    expect(texts(i)).toContain("engine 0.20.4 is created: a StatefulSet pod with a 100Gi cache disk");
  });

  test("drain a version: its scale set takes no new jobs, its engine stays (safe)", () => {
    expect(helmValues(release(side("patch"), "dagger-v0-20-3")).maxRunners).toBe(10);
    expect(helmValues(release(side("drain"), "dagger-v0-20-3")).maxRunners).toBe(0);
    const i = impact("patch", "drain");
    expect(i.verdict).toBe("safe");
    expect(i.resources.map((r) => `${r.action} ${r.id}`)).toEqual([expect.stringMatching(/^update github_dagger-v0-20-3_release_/)]);
    expect(texts(i)).toEqual(["draining: dagger-v0.20.3 (no new jobs; running jobs finish)"]);
  });

  test("remove a drained version: engine and scale set destroyed, safe", () => {
    expect(release(side("removed"), "dagger-runners-v0-20-3")).toBeUndefined();
    const i = impact("drain", "removed");
    expect(i.verdict).toBe("safe");
    expect(i.resources.filter((r) => r.type === "helm_release").map((r) => r.action)).toEqual(["delete", "delete"]);
    expect(texts(i)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^engine 0\.20\.3 is removed after draining/),
        expect.stringMatching(/^scale sets removed after draining: dagger-v0\.20\.3/),
      ]),
    );
  });

  test("remove a version without draining it first: disruptive, and says how to drain", () => {
    const i = impact("patch", "removed");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "disruptive")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^engine 0\.20\.3 is removed without draining: jobs still running on it lose their engine \(first list it in dagger\.draining/),
        expect.stringMatching(/^scale set dagger-v0\.20\.3 is uninstalled without draining/),
      ]),
    );
  });

  /** Scale sets of a side: runnerScaleSetName -> [scaleSetLabels, maxRunners], from the synthesized values. */
  const multiSets = (name: string) =>
    Object.fromEntries(
      side(name)
        .stacks.flatMap((st) => Object.values<any>(st.json.resource?.helm_release ?? {}))
        .filter((r) => r.chart === "gha-runner-scale-set")
        .map((r) => [helmValues(r).runnerScaleSetName, [helmValues(r).scaleSetLabels, helmValues(r).maxRunners]]),
    );

  test("multi-label: a patch version moves the aliases to a new scale set; the old one is removed only after its jobs, no label is left without runners", () => {
    // The names: the exact label, plus sha256("dagger-latest\ndagger-v0.20") = 945c2d... when it carries aliases.
    expect(multiSets("multi")).toEqual({ "dagger-v0.20.3-945c2d": [["dagger-v0.20.3", "dagger-v0.20", "dagger-latest"], 10] });
    expect(multiSets("multiPatch")).toEqual({
      "dagger-v0.20.4-945c2d": [["dagger-v0.20.4", "dagger-v0.20", "dagger-latest"], 10],
      "dagger-v0.20.3": [[], 10],
    });
    const i = impact("multi", "multiPatch");
    // Nothing is replaced in place (a same-name reinstall would leave its labels without runners).
    expect(i.resources.filter((r) => r.action === "replace")).toEqual([]);
    const moved = i.resources.filter((r) => r.type === "helm_release" && r.action !== "update").map((r) => `${r.action} ${r.id.replace(/_[0-9A-F]{8}$/, "")}`);
    expect(moved.sort()).toEqual(["create dagger-engines_release-v0-20-4", "create github_dagger-v0-20-3_release", "create github_dagger-v0-20-4-945c2d_release", "delete github_dagger-v0-20-3-945c2d_release"]);
    expect(i.verdict).toBe("safe");
    expect(texts(i, "safe")).toEqual(
      expect.arrayContaining([
        "new runner labels: dagger-v0.20.4",
        expect.stringMatching(
          /^scale set dagger-v0\.20\.3-945c2d gives way to dagger-v0\.20\.3, dagger-v0\.20\.4-945c2d, which serve its labels \(dagger-v0\.20\.3, dagger-v0\.20, dagger-latest\) from this apply: ARC stops its listener and keeps its busy runners until their jobs end, and this apply waits for them \(Helm uninstall, at most 6 h\)/,
        ),
      ]),
    );
  });

  test("multi-label: drain then remove a version; the draining set carries no alias and takes no job", () => {
    expect(multiSets("multiDrain")).toEqual({
      "dagger-v0.20.4-945c2d": [["dagger-v0.20.4", "dagger-v0.20", "dagger-latest"], 10],
      "dagger-v0.20.3": [[], 0],
    });
    const drain = impact("multi", "multiDrain");
    expect(drain.verdict).toBe("safe");
    expect(texts(drain, "safe")).toContainEqual(expect.stringMatching(/^scale set dagger-v0\.20\.3-945c2d gives way to dagger-v0\.20\.3, dagger-v0\.20\.4-945c2d,/));
    const remove = impact("multiDrain", "multiRemoved");
    expect(multiSets("multiRemoved")).toEqual({ "dagger-v0.20.4-945c2d": [["dagger-v0.20.4", "dagger-v0.20", "dagger-latest"], 10] });
    expect(remove.verdict).toBe("safe");
    expect(texts(remove, "safe")).toEqual(
      expect.arrayContaining([expect.stringMatching(/^engine 0\.20\.3 is removed after draining/), "scale sets removed after draining: dagger-v0.20.3 (check that none of their runners still runs a job)"]),
    );
  });
});

describe("ARC", () => {
  test("arc.version 0.14.1 -> 0.14.2 is an ARC upgrade in one deploy: CRDs (their own release), controller, scale sets", () => {
    const releases = (s: string) => Object.values<any>(side(s).stacks.find((x) => x.name.endsWith("-runners"))!.json.resource!.helm_release);
    const controller = (s: string) => releases(s).find((r) => r.chart === "gha-runner-scale-set-controller");
    const crds = (s: string) => releases(s).find((r) => r.name === "arc-crds");
    expect([controller("arcOld").version, crds("arcOld").version]).toEqual(["0.14.1", "0.14.1"]);
    expect([controller("base").version, crds("base").version]).toEqual(["0.14.2", "0.14.2"]);
    expect(crds("base").chart).toMatch(/gha-runner-scale-set-crds-0\.14\.2\.tgz$/);
    const i = impact("arcOld", "base");
    // A patch upgrade cancels nothing; the listeners are recreated (the scale sets' values carry the version).
    expect(i.resources.every((r) => r.action === "update")).toBe(true);
    expect(i.findings).toEqual(
      expect.arrayContaining([
        {
          severity: "safe",
          subject: "ARC",
          text: "ARC upgrade 0.14.1 → 0.14.2: one deploy upgrades the CRDs (release arc-crds), then the controller, then 3 scale sets; each listener is recreated with the new controller image once its scale set's running jobs finish (update strategy eventual; new jobs for its labels wait meanwhile)",
        },
      ]),
    );
    expect(i.verdict).toBe("safe");
  });

  test("a minor ARC upgrade (0.13.1 -> 0.14.2) is disruptive: the new controller deletes the old minor's scale sets", () => {
    const i = impact("arcMinor", "base");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "disruptive")).toEqual([expect.stringMatching(/^ARC upgrade 0\.13\.1 → 0\.14\.2: one deploy upgrades the CRDs .*across minor versions \(0\.13 → 0\.14\) the new controller deletes the scale sets of the old minor/)]);
  });
});

describe("ARC beside another deployment on one cluster", () => {
  test("turning arc.watchSingleNamespace on restarts the controller only: safe", () => {
    const i = impact("base", "shared");
    expect(i.verdict).toBe("safe");
    expect(texts(i)).toEqual(["ARC controller restarts with new values (flags.watchSingleNamespace); runners keep running"]);
  });

  test("an ARC upgrade of a deployment that does not install the CRDs says which deploys first: disruptive", () => {
    const controller = release(side("sharedNoCrds"), "arc");
    expect([controller.skip_crds, release(side("sharedNoCrds"), "arc-crds")]).toEqual([true, undefined]);
    const i = impact("sharedNoCrdsOld", "sharedNoCrds");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "disruptive")).toEqual([
      "ARC upgrade 0.14.1 → 0.14.2: this deployment does not install ARC's CRDs (arc.installCrds: false); deploy the one on this cluster that does at 0.14.2 first, else this controller and 3 scale sets run against 0.14.1's CRDs (docs/runners.md#on-one-cluster)",
    ]);
  });

  test("handing the CRDs to another deployment (arc.installCrds: false) uninstalls the arc-crds release; the CRDs stay", () => {
    const i = impact("shared", "sharedNoCrds");
    expect(i.resources.map((r) => `${r.action} ${r.id}`)).toEqual(["delete github_controller_crds_release_B815EA68"]);
    expect(i.verdict).toBe("safe");
    expect(texts(i)).toEqual([
      "release arc-crds is uninstalled (arc.installCrds: false): ARC's CRDs stay (helm.sh/resource-policy: keep) for the deployment on this cluster that installs them (its arc-crds release takes them over)",
    ]);
  });
});

describe("engines", () => {
  test("engine resources: the DaemonSet rolls over every node of its pool (disruptive)", () => {
    const res = (s: string) => helmValues(release(side(s), "dagger-runners-v0-20-3")).engine.resources.requests.cpu;
    expect([res("base"), res("resources")]).toEqual(["1", "2"]);
    const i = impact("base", "resources");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i)).toEqual([
      "engine 0.20.3 restarts (engine.resources): Kubernetes replaces its DaemonSet pods, one node at a time on every node of pool runners (1-5 nodes); jobs using it there lose their engine while it restarts (the cache is kept)",
    ]);
  });

  const pvc = (s: string) => helmValues(release(side(s), "dagger-runners-v0-20-3")).engine.statefulSet.persistentVolumeClaim;

  test("StatefulSet cache size: will fail at apply, one line with key, old -> new and the way to do it", () => {
    expect([pvc("sts").resources.requests.storage, pvc("stsSize").resources.requests.storage]).toEqual(["100Gi", "200Gi"]);
    const i = impact("sts", "stsSize");
    expect(i.verdict).toBe("fails");
    expect(i.exitCode).toBe(4);
    expect(texts(i, "fails")).toEqual([
      'dagger.engine.cache.size: "100Gi" → "200Gi" (engine 0.20.3): Kubernetes refuses to change a StatefulSet\'s volumeClaimTemplates, so its Helm upgrade fails; to change it, first drain engine 0.20.3 and remove it (dagger.draining, then dagger.versions; its cache goes), then deploy the new value',
    ]);
  });

  test("StatefulSet storage class: will fail at apply", () => {
    expect([pvc("sts").storageClassName, pvc("stsClass").storageClassName]).toEqual([undefined, "premium-rwo"]);
    const i = impact("sts", "stsClass");
    expect(i.verdict).toBe("fails");
    expect(texts(i, "fails")).toEqual([expect.stringMatching(/^dagger\.engine\.cache\.storageClass: \(cluster default\) → "premium-rwo" \(engine 0\.20\.3\): Kubernetes refuses/)]);
  });

  test("add an engines pool: the pool is created and the engine moves to it, its cache's StorageClass unchanged", () => {
    expect(pvc("stsPool")).toEqual(pvc("sts"));
    const i = impact("sts", "stsPool");
    expect(i.resources.find((r) => r.type === "google_container_node_pool")).toMatchObject({ action: "create" });
    expect(texts(i, "fails")).toEqual([]);
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "disruptive")).toEqual([
      "engine 0.20.3 restarts (engine.nodeSelector, engine.tolerations): Kubernetes replaces its StatefulSet pod; jobs using it there lose their engine while it restarts (the cache is kept)",
    ]);
  });
});

describe("cluster", () => {
  test("a region change replaces the GKE cluster; with deletion protection on, Terraform refuses (fails at apply)", () => {
    const location = (s: string) => (Object.values(side(s).stacks.find((x) => x.name.endsWith("-cluster"))!.json.resource!.google_container_cluster)[0] as any).location;
    expect([location("base"), location("region")]).toEqual(["us-central1", "europe-west1"]);
    const i = impact("base", "region");
    expect(i.verdict).toBe("fails");
    expect(i.resources.find((r) => r.type === "google_container_cluster")).toMatchObject({ action: "replace", forcedBy: ["location"] });
    expect(texts(i, "fails")).toEqual([expect.stringMatching(/^GKE cluster dagger-runners: deletion_protection is true, so Terraform refuses to destroy it/)]);
    expect(texts(i, "disruptive")).toContain(
      "GKE cluster dagger-runners is replaced (forced by location): every node, running job, engine and cache is lost; the runners stack then deploys onto an empty cluster",
    );
  });

  test("without deletion protection the replacement is disruptive", () => {
    const i = impact("unprotected", "unprotectedRegion");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "disruptive")).toContainEqual(expect.stringMatching(/^node pool runners is replaced \(forced by location\)/));
  });
});

describe("listener changes (ListenerSpecHash covers the whole AutoscalingRunnerSet spec)", () => {
  test("a system pool moves the listeners: only they restart, and under eventual they wait for running jobs", () => {
    expect(helmValues(release(side("system"), "dagger-v0-20")).listenerTemplate.spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux", "cloud.google.com/gke-nodepool": "system" });
    const i = impact("noSystem", "system");
    expect(i.verdict).toBe("safe");
    expect(texts(i, "safe")).toContain(
      "dagger-latest, dagger-v0.20.3, dagger-v0.20: only the listener restarts (listenerTemplate changed); runners keep running; under update strategy eventual ARC recreates it only once the scale set has no running or pending runner, so new jobs wait for the running ones (and idle warm runners keep it down: actions-runner-controller issue 4432)",
    );
  });

  test("with idle runners (minRunners > 0) under eventual the same change stops the scale sets: disruptive, with the way out", () => {
    const i = impact("warmNoSystem", "warmSystem");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "disruptive")).toEqual([
      "dagger-latest, dagger-v0.20.3, dagger-v0.20 keep idle runners (minRunners > 0): under update strategy eventual their listener is not recreated while those runners exist, so they stop taking jobs (actions-runner-controller issue 4432); deploy with arc.updateStrategy: immediate",
    ]);
  });
});

test("no change: safe, nothing listed", () => {
  const i = impact("base", "base");
  expect(i).toMatchObject({ verdict: "safe", exitCode: 0, findings: [], resources: [] });
  expect(renderImpact(i)).toBe("Impact of base.yaml → base.yaml: SAFE (exit 0)\nNo resource changes.");
});

describe("replacement rules", () => {
  const stack = (resource: Record<string, Record<string, Record<string, unknown>>>) => [{ name: "s", json: { resource } }];
  test("a ForceNew attribute that refers to a replaced resource is replaced too; other references update", () => {
    const before = stack({
      kubernetes_namespace_v1: { ns: { metadata: { name: "a" } } },
      helm_release: { r: { name: "x", namespace: "${kubernetes_namespace_v1.ns.metadata[0].name}", chart: "c" } },
      kubernetes_secret_v1: { s: { metadata: { name: "s", namespace: "other" }, data: { k: "${kubernetes_namespace_v1.ns.id}" } } },
    });
    const after = stack({
      kubernetes_namespace_v1: { ns: { metadata: { name: "b" } } },
      helm_release: { r: { name: "x", namespace: "${kubernetes_namespace_v1.ns.metadata[0].name}", chart: "c" } },
      kubernetes_secret_v1: { s: { metadata: { name: "s", namespace: "other" }, data: { k: "${kubernetes_namespace_v1.ns.id}" } } },
    });
    const got = Object.fromEntries(diffResources(before, after).map((p) => [p.change.id, [p.change.action, ...p.change.forcedBy]]));
    expect(got).toEqual({
      ns: ["replace", "metadata.name"],
      r: ["replace", "namespace (refers to replaced kubernetes_namespace_v1.ns)"],
      s: ["update"],
    });
  });

  test("helm_release: a new chart, repository or version is an in-place upgrade; lifecycle.ignore_changes is honoured", () => {
    const before = stack({ helm_release: { r: { name: "x", chart: "a", repository: "oci://one", version: "1" } }, google_container_cluster: { c: { name: "c", location: "l", node_config: { x: 1 }, lifecycle: { ignore_changes: ["node_config"] } } } });
    const after = stack({ helm_release: { r: { name: "x", chart: "b", repository: "oci://two", version: "2" } }, google_container_cluster: { c: { name: "c", location: "l", node_config: { x: 2 }, lifecycle: { ignore_changes: ["node_config"] } } } });
    expect(diffResources(before, after).map((p) => [p.change.id, p.change.action])).toEqual([["r", "update"]]);
  });
});

describe("npm run impact", () => {
  const dir = scratch();
  const write = (name: string, raw: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, JSON.stringify(raw));
    return f;
  };

  test("config files and a cdktf output directory, --json, and the exit codes", async () => {
    const out = scratch();
    const { config, plan } = parseConfig(CONFIGS.sts);
    synthDeployment(config, plan, out);
    const [text, json, usage, bad] = await Promise.all([
      runScript("scripts/impact.ts", [out, write("size.json", CONFIGS.stsSize)]),
      runScript("scripts/impact.ts", [write("a.json", CONFIGS.base), write("b.json", CONFIGS.resources), "--json"]),
      runScript("scripts/impact.ts", [out]),
      runScript("scripts/impact.ts", [out, write("bad.json", { dagger: { versions: ["0.20.3"], draining: ["0.19.0"] } })]),
    ]);
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/^Impact of .* → .*size\.json: WILL FAIL AT APPLY \(exit 4\)\n/);
    expect(text.stdout).toContain('x dagger.engine.cache.size: "100Gi" → "200Gi" (engine 0.20.3)');
    expect(json.code).toBe(3);
    const data = JSON.parse(json.stdout);
    expect(data).toMatchObject({ verdict: "disruptive", exitCode: 3, counts: { create: 0, update: 1, replace: 0, delete: 0 } });
    expect(data.findings[0]).toMatchObject({ severity: "disruptive", subject: "engine 0.20.3" });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error: expected two sides, got 1 \(usage: npm run impact -- OLD NEW/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*bad\.json: dagger\.draining\[0\]: .*\n$/);
    expect(bad.stdout).toBe("");
  });
});

describe("a listener-only change (maxRunners) on scale sets with idle runners", () => {
  test("eventual: disruptive, the listener waits for idle runners that only it could give jobs (ARC issue 4432)", () => {
    expect(helmValues(release(side("warmMore"), "dagger-v0-20-3")).maxRunners).toBe(12);
    const i = impact("warm", "warmMore");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "disruptive")).toEqual([
      "dagger-latest, dagger-v0.20.3, dagger-v0.20 keep idle runners (minRunners > 0): under update strategy eventual their listener is not recreated while those runners exist, so they stop taking jobs (actions-runner-controller issue 4432); deploy with arc.updateStrategy: immediate",
    ]);
    expect(texts(i, "safe")).toEqual([expect.stringMatching(/only the listener restarts \(maxRunners changed\)/)]);
  });

  test("immediate: safe, only the listener restarts", () => {
    const i = impact("warmImmediate", "warmImmediateMore");
    expect(i.verdict).toBe("safe");
    expect(texts(i, "safe")).toEqual([expect.stringMatching(/^dagger-latest, dagger-v0\.20\.3, dagger-v0\.20: only the listener restarts/)]);
  });
});

describe("runner image, label prefix, maintenance window", () => {
  test("a runner image bump is a new runner spec: safe, each scale set takes it once its jobs finish", () => {
    const image = (n: string) => helmValues(release(side(n), "dagger-v0-20-3")).template.spec.containers[0].image;
    expect([image("base"), image("runnerBump")]).toEqual(["ghcr.io/actions/actions-runner:2.333.1", "ghcr.io/actions/actions-runner:2.336.0"]);
    const i = impact("base", "runnerBump");
    expect(i.verdict).toBe("safe");
    expect(i.resources.map((r) => r.action)).toEqual(["update", "update", "update"]);
    expect(texts(i)).toEqual([expect.stringMatching(/^new runner spec for dagger-latest, dagger-v0\.20\.3, dagger-v0\.20: ARC \(update strategy eventual\) stops their listener, lets running and pending jobs finish/)]);
  });

  test("a new label prefix renames every label: the old scale sets go without draining (disruptive)", () => {
    expect(release(side("prefixed"), "dagger-staging-v0-20-3")).toBeDefined();
    expect(release(side("prefixed"), "dagger-v0-20-3")).toBeUndefined();
    const i = impact("base", "prefixed");
    expect(i.verdict).toBe("disruptive");
    expect(texts(i, "safe")).toEqual(["new runner labels: dagger-staging-latest, dagger-staging-v0.20.3, dagger-staging-v0.20"]);
    expect(texts(i, "disruptive")).toHaveLength(3);
    expect(texts(i, "disruptive")[0]).toMatch(/^scale set dagger-\S+ is uninstalled without draining: .*has no runners left/);
  });

  test("a changed maintenance window updates the cluster in place: safe", () => {
    const gke = (n: string) => Object.values<any>(side(n).stacks.find((x) => x.name.endsWith("-cluster"))!.json.resource!.google_container_cluster)[0];
    expect(gke("window").maintenance_policy.recurring_window.end_time).toBe("2026-01-03T18:00:00Z");
    const i = impact("base", "window");
    expect(i.verdict).toBe("safe");
    expect(texts(i)).toEqual(["GKE cluster dagger-runners is updated in place (maintenance_policy.recurring_window)"]);
  });
});
