import { compareVersions, parseVersion, parseVersionList } from "../lib/planning/versions";
import { planRunners, runnerLabelMap } from "../lib/planning/labels";
import { planEngineNames } from "../lib/planning/engines";
import { daggerChartFullname } from "../lib/planning/names";
import { PlanError } from "../lib/planning/errors";

describe("versions", () => {
  test.each([
    ["0.20.3", "0.20.3"],
    ["v0.20.3", "0.20.3"],
    [" 1.2.3 ", "1.2.3"],
  ])("parses %j as %s", (raw, text) => {
    expect(parseVersion(raw).text).toBe(text);
  });

  test.each([
    ["0.20", /is not a full version/],
    ["0.20.x", /is not a valid version/],
    ["0.020.3", /is not a valid version/],
    ["1.0.0-beta.01", /is not a valid version/], // semver §9: no leading zeros in numeric identifiers
    ["1.0.0-", /is not a valid version/],
    ["0.20.99999999999999999999", /has a number too large to compare exactly/],
    ["", /is not a valid version/],
  ])("rejects %j", (raw, msg) => {
    expect(() => parseVersion(raw, "dagger.versions[1]")).toThrow(msg);
  });

  test("error names path, value and what is allowed", () => {
    expect(() => parseVersionList(["0.20.3", "0.20"])).toThrow(
      'dagger.versions[1]: "0.20" is not a full version (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)',
    );
  });

  test("orders as semver, not strings", () => {
    const sorted = parseVersionList(["0.9.3", "0.20.3", "0.19.9", "0.19.10"]).map((v) => v.text);
    expect(sorted).toEqual(["0.9.3", "0.19.9", "0.19.10", "0.20.3"]);
    expect(compareVersions(parseVersion("0.19.10"), parseVersion("0.19.9"))).toBeGreaterThan(0);
  });

  test("rejects duplicates, also with a leading v", () => {
    expect(() => parseVersionList(["0.20.3", "v0.20.3"])).toThrow(
      'dagger.versions[1]: "v0.20.3" duplicates dagger.versions[0] (each version may appear once)',
    );
  });

  test("pre-releases parse and order by semver precedence (beta.9 < beta.10 < rc.1 < release)", () => {
    expect(parseVersion("v1.0.0-beta.10")).toEqual({ major: 1, minor: 0, patch: 0, prerelease: "beta.10", text: "1.0.0-beta.10", minorText: "1.0" });
    const sorted = parseVersionList(["1.0.0", "1.0.0-rc.1", "1.0.0-beta.10", "0.21.8", "1.0.0-beta.9", "1.0.0-alpha"]).map((v) => v.text);
    expect(sorted).toEqual(["0.21.8", "1.0.0-alpha", "1.0.0-beta.9", "1.0.0-beta.10", "1.0.0-rc.1", "1.0.0"]);
  });

  test("rejects an empty list", () => {
    expect(() => parseVersionList([])).toThrow(/dagger.versions: \[\] is empty/);
  });
});

describe("label plan", () => {
  test("pre-releases get their exact label only; versions from 1.0 get a major alias to the newest stable", () => {
    const map = runnerLabelMap(planRunners({ versions: ["0.20.3", "1.0.0", "1.2.0", "1.3.0-beta.2"] }));
    expect(map["dagger-v1"]).toBe("1.2.0");
    expect(map["dagger-latest"]).toBe("1.2.0");
    expect(map["dagger-v1.3.0-beta.2"]).toBe("1.3.0-beta.2");
    expect(Object.keys(map).filter((l) => Object.is(map[l], "1.3.0-beta.2"))).toEqual(["dagger-v1.3.0-beta.2"]);
    expect(map["dagger-v1.3"]).toBeUndefined();
    expect(map["dagger-v0"]).toBeUndefined(); // 0.x minors are not compatible: no major alias
    expect(map["dagger-v1.2"]).toBe("1.2.0");
    expect(map["dagger-v0.20"]).toBe("0.20.3");
  });

  test("draining: the version's scale sets take no new jobs, the aliases move to the newest version not draining", () => {
    const plan = planRunners({ versions: ["0.20.3", "0.20.4", "0.21.8"], draining: ["0.20.4", "0.21.8"], minRunners: 1, maxRunners: 5 });
    const map = runnerLabelMap(plan);
    expect(map["dagger-v0.20"]).toBe("0.20.3");
    // Every 0.21 version drains: its alias keeps pointing at it, draining too; latest needs a serving one.
    expect(map["dagger-v0.21"]).toBe("0.21.8");
    expect(map["dagger-latest"]).toBe("0.20.3");
    const set = (name: string) => plan.scaleSets.find((s) => s.name === name)!;
    for (const name of ["dagger-v0.20.4", "dagger-v0.21.8", "dagger-v0.21"]) expect([name, set(name).minRunners, set(name).maxRunners]).toEqual([name, 0, 0]);
    for (const name of ["dagger-v0.20.3", "dagger-v0.20", "dagger-latest"]) expect([name, set(name).maxRunners]).toEqual([name, 5]);
    expect(plan.labels.filter((l) => l.draining).map((l) => l.label)).toEqual(["dagger-v0.21.8", "dagger-v0.20.4", "dagger-v0.21"]);
  });

  test("a label prefix gives a second deployment its own labels and scale-set names", () => {
    const { plan } = (require("../lib/config/load") as typeof import("../lib/config/load")).parseConfig({ target: "existing-cluster", runners: { labelPrefix: "dagger-staging" } });
    expect(Object.keys(plan.runnerLabels)).toEqual(["dagger-staging-v0.20.3", "dagger-staging-v0.20", "dagger-staging-latest"]);
    expect(plan.runners.scaleSets.map((s) => [s.name, s.releaseName])).toEqual([
      ["dagger-staging-v0.20.3", "dagger-staging-v0-20-3"],
      ["dagger-staging-v0.20", "dagger-staging-v0-20"],
      ["dagger-staging-latest", "dagger-staging-latest"],
    ]);
  });

  test("draining: refused when it is not a deployed version or when nothing stable would serve latest", () => {
    expect(() => planRunners({ versions: ["0.20.3"], draining: ["0.20.4"] })).toThrow('dagger.draining[0]: "0.20.4" is not one of dagger.versions (0.20.3); a version drains while it is still deployed');
    expect(() => planRunners({ versions: ["0.20.3"], draining: ["v0.20.3"] })).toThrow(/^dagger\.draining: \["v0\.20\.3"\] leaves no stable version serving dagger-latest/);
  });

  test("multi-label draining: the draining version's set takes no jobs and carries no alias; the aliases' set is a new one", () => {
    const before = planRunners({ versions: ["0.20.3"], strategy: "multi-label" });
    const after = planRunners({ versions: ["0.20.3", "0.20.4"], draining: ["0.20.3"], strategy: "multi-label" });
    // sha256("dagger-latest\ndagger-v0.20") starts 945c2d (sha256sum).
    expect(before.scaleSets.map((s) => [s.name, s.extraLabels, s.maxRunners])).toEqual([["dagger-v0.20.3-945c2d", ["dagger-v0.20.3", "dagger-v0.20", "dagger-latest"], 10]]);
    expect(after.scaleSets.map((s) => [s.name, s.extraLabels, s.minRunners, s.maxRunners])).toEqual([
      ["dagger-v0.20.4-945c2d", ["dagger-v0.20.4", "dagger-v0.20", "dagger-latest"], 0, 10],
      ["dagger-v0.20.3", [], 0, 0],
    ]);
    // No scale set of the old deployment keeps its name with other labels: ARC never re-registers labels.
    for (const s of before.scaleSets) {
      const same = after.scaleSets.find((x) => x.name === s.name);
      if (same) expect(same.extraLabels).toEqual(s.extraLabels);
    }
  });

  test("a pre-release's release and scale-set names keep its identifiers", () => {
    const plan = planRunners({ versions: ["0.20.3", "1.0.0-beta.10"], strategy: "multi-label" });
    expect(plan.scaleSets.map((s) => [s.name, s.releaseName, s.labels])).toContainEqual(["dagger-v1.0.0-beta.10", "dagger-v1-0-0-beta-10", ["dagger-v1.0.0-beta.10"]]);
    expect(planEngineNames("ci", parseVersionList(["1.0.0-beta.10"]), "statefulset")[0]).toMatchObject({ releaseName: "ci-v1-0-0-beta-10", podName: "ci-v1-0-0-beta-10-dagger-helm-engine-0" });
    expect(() => planEngineNames("ci", parseVersionList(["1.0.0-beta.1", "1.0.0-beta-1"]), "daemonset")).toThrow(/makes engine release "ci-v1-0-0-beta-1", the same as 1\.0\.0-beta\.1/);
  });

  test("mixed versions: latest is 0.20.3, dagger-v0.19 is 0.19.10", () => {
    const plan = planRunners({ versions: ["0.9.3", "0.20.3", "0.19.9", "0.19.10"] });
    const map = runnerLabelMap(plan);
    expect(map).toEqual({
      "dagger-v0.20.3": "0.20.3",
      "dagger-v0.19.10": "0.19.10",
      "dagger-v0.19.9": "0.19.9",
      "dagger-v0.9.3": "0.9.3",
      "dagger-v0.20": "0.20.3",
      "dagger-v0.19": "0.19.10",
      "dagger-v0.9": "0.9.3",
      "dagger-latest": "0.20.3",
    });
    expect(plan.latest.text).toBe("0.20.3");
  });

  test("a single version gives exact, minor alias and latest", () => {
    const plan = planRunners({ versions: ["0.20.3"] });
    expect(plan.labels.map((l) => [l.label, l.kind, l.version])).toEqual([
      ["dagger-v0.20.3", "exact", "0.20.3"],
      ["dagger-v0.20", "minor", "0.20.3"],
      ["dagger-latest", "latest", "0.20.3"],
    ]);
  });

  test("several sizes suffix every label; '' means no suffix", () => {
    const plan = planRunners({ versions: ["0.20.3", "0.19.10"], sizes: ["", "large"] });
    const labels = plan.labels.map((l) => l.label);
    expect(labels).toEqual([
      "dagger-v0.20.3", "dagger-v0.19.10", "dagger-v0.20", "dagger-v0.19", "dagger-latest",
      "dagger-v0.20.3-large", "dagger-v0.19.10-large", "dagger-v0.20-large", "dagger-v0.19-large", "dagger-latest-large",
    ]);
    expect(plan.labels.find((l) => l.label === "dagger-v0.20-large")).toMatchObject({ version: "0.20.3", size: "large" });
  });

  test("per-label: one scale set per label, alias sets use aliasMinRunners", () => {
    const plan = planRunners({ versions: ["0.20.3", "0.20.1"], minRunners: 1, aliasMinRunners: 2, maxRunners: 5 });
    expect(plan.scaleSets.map((s) => [s.name, s.releaseName, s.minRunners, s.extraLabels.length])).toEqual([
      ["dagger-v0.20.3", "dagger-v0-20-3", 1, 0],
      ["dagger-v0.20.1", "dagger-v0-20-1", 1, 0],
      ["dagger-v0.20", "dagger-v0-20", 2, 0],
      ["dagger-latest", "dagger-latest", 2, 0],
    ]);
    for (const l of plan.labels) expect(l.scaleSet).toBe(l.label);
  });

  test("multi-label: one scale set per version and size, aliases as scaleSetLabels", () => {
    const plan = planRunners({ versions: ["0.20.3", "0.20.1", "0.19.10"], sizes: ["", "large"], strategy: "multi-label" });
    expect(plan.scaleSets).toHaveLength(6);
    // A set with aliases is named after its exact label and a hash of its aliases (sha256sum of
    // the sorted aliases joined by newlines): d01f46, 945c2d, e7064c.
    const top = plan.scaleSets.find((s) => s.name === "dagger-v0.20.3-large-d01f46")!;
    expect(top.extraLabels).toEqual(["dagger-v0.20.3-large", "dagger-v0.20-large", "dagger-latest-large"]);
    expect(top.labels).toEqual(["dagger-v0.20.3-large", "dagger-v0.20-large", "dagger-latest-large"]);
    expect(plan.scaleSets.find((s) => s.name === "dagger-v0.20.1")!.extraLabels).toEqual([]);
    expect(plan.scaleSets.find((s) => s.name === "dagger-v0.19.10-e7064c")!.extraLabels).toEqual(["dagger-v0.19.10", "dagger-v0.19"]);
    expect(plan.labels.find((l) => l.label === "dagger-latest")!.scaleSet).toBe("dagger-v0.20.3-945c2d");
    expect(plan.labels.find((l) => l.label === "dagger-v0.20.1")!.scaleSet).toBe("dagger-v0.20.1");
    // Same labels as per-label: both strategies come from one plan.
    const perLabel = planRunners({ versions: ["0.20.3", "0.20.1", "0.19.10"], sizes: ["", "large"] });
    expect(runnerLabelMap(plan)).toEqual(runnerLabelMap(perLabel));
  });

  test("every label is served by exactly one scale set in both strategies", () => {
    for (const strategy of ["per-label", "multi-label"] as const) {
      const plan = planRunners({ versions: ["0.9.3", "0.20.3", "0.19.9", "0.19.10"], sizes: ["", "xl"], strategy });
      const served = plan.scaleSets.flatMap((s) => s.labels).sort();
      expect(served).toEqual(plan.labels.map((l) => l.label).sort());
    }
  });

  test.each([
    [{ versions: ["0.20.3"], sizes: ["Large"] }, 'runners.sizes.Large: "Large" is not a valid size name'],
    [{ versions: ["0.20.3"], sizes: ["a-very-long-size-name-for-runners-xx"] }, /runners.sizes.a-very-long-size-name-for-runners-xx: .* makes scale-set name "dagger-v0.20.3-a-very-long-size-name-for-runners-xx" 51 characters long \(ARC allows at most 45\)/],
    [{ versions: ["0.20.3", "0.20.30"], sizes: ["", "3"] }, /gives label|collide/],
    [{ versions: ["0.20.3"], minRunners: 5, maxRunners: 2 }, "runners.minRunners: 5 is greater than runners.maxRunners (2)"],
    [{ versions: ["0.20.3"], aliasMinRunners: 5, maxRunners: 2 }, "runners.aliasMinRunners: 5 is greater than runners.maxRunners (2)"],
  ])("rejects %j", (input, msg) => {
    expect(() => planRunners(input)).toThrow(PlanError);
    expect(() => planRunners(input)).toThrow(msg);
  });

  test("size names that make release names collide are rejected", () => {
    // "dagger-v0.20-3" (minor alias, size "3") and "dagger-v0.20.3" (exact) both become dagger-v0-20-3.
    expect(() => planRunners({ versions: ["0.20.3"], sizes: ["", "3"] })).toThrow(/collide/);
  });
});

describe("engine names", () => {
  // The workload and pod names of a release: test/dagger-engines-planning.test.ts.
  test.each([
    ["r", undefined, "r-dagger-helm"],
    ["my-dagger-helm", undefined, "my-dagger-helm"],
    ["x", "custom", "custom"],
    ["a".repeat(52), undefined, `${"a".repeat(52)}-dagger-hel`],
    ["a".repeat(51), undefined, `${"a".repeat(51)}-dagger-helm`],
    ["a".repeat(70), "o".repeat(70), "o".repeat(63)],
  ])("daggerChartFullname(%j, %j) = %j", (release, override, full) => {
    expect(daggerChartFullname(release, override)).toBe(full);
    expect(daggerChartFullname(release, override).length).toBeLessThanOrEqual(63);
  });

  test("trims one trailing dash after truncation", () => {
    // 54 chars then "-dagger-helm": the cut at 63 lands right after "-dagger-" -> trailing "-" trimmed.
    const release = "b".repeat(55);
    expect(daggerChartFullname(release)).toBe(`${"b".repeat(55)}-dagger`);
  });

  test("a deployment name too long for the StatefulSet limit is an error naming `name`", () => {
    expect(() => planEngineNames("a-rather-long-deployment-name", parseVersionList(["0.20.3"]), "statefulset")).toThrow(
      /^name: "a-rather-long-deployment-name" makes engine statefulset name ".*" 56 characters long \(at most 52\)/,
    );
    expect(() => planEngineNames("a-rather-long-deployment-name", parseVersionList(["0.20.3"]), "daemonset")).not.toThrow();
  });
});
