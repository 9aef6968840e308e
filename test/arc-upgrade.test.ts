/**
 * Upgrading ARC (issue 12, part 3): a changed `arc.version` upgrades ARC's CRDs (a release of
 * their own, since Helm never upgrades a chart's `crds/`), then the controller, then the scale
 * sets, in one deploy; and it rolls every listener onto the new controller image (ARC issue 4572).
 * Before/after configs are synthesized and, where helm and the upstream charts are present,
 * rendered with the real charts.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as zlib from "node:zlib";
import { parseYamlStream } from "../lib/verify/yaml-stream";
import { synthDeployment } from "../lib/app";
import { parseConfig } from "../lib/config/load";
import { ARC_CRD_VERSIONS, ARC_VERSION_ANNOTATION } from "../lib/planning/arc-values";
import { verify } from "../lib/verify";
import { buildCrdChart, crdChartFile } from "../scripts/arc-crds";
import { configError, helmValues, runScript, scratchDirs } from "./util";

const ROOT = path.join(__dirname, "..");
const CHARTS = process.env.DAGGER_RUNNERS_CHARTS ?? path.resolve(ROOT, "..", "shared", "charts");
const haveCharts = fs.existsSync(CHARTS);
const tmp = scratchDirs("arc-upgrade-");

function synth(raw: object): { dir: string; stack: any } {
  const { config, plan } = parseConfig({ gcp: { projectId: "my-proj-123" }, ...raw });
  const dir = tmp();
  synthDeployment(config, plan, dir);
  const name = fs.readdirSync(path.join(dir, "stacks")).find((n) => n.endsWith("-runners"))!;
  return { dir, stack: JSON.parse(fs.readFileSync(path.join(dir, "stacks", name, "cdk.tf.json"), "utf8")) };
}

/**
 * `expect(a).toEqual(b)` for large values (a 340 kB chart, 3 MB of CRDs), where jest's matcher
 * takes seconds: node's deep strict equality decides first (it implies toEqual's), and toEqual
 * runs only when it fails, so the outcome and the diff on failure are toEqual's.
 */
function expectEqual(a: unknown, b: unknown): void {
  if (!isDeepStrictEqual(a, b)) expect(a).toEqual(b);
}

const releases = (stack: any): Record<string, any> => stack.resource.helm_release;
const byName = (stack: any, name: string): [string, any] => Object.entries(releases(stack)).find(([, r]) => (r as any).name === name) as [string, any];

/** Files of a gzipped tar (the CRD chart), by name. */
function untar(tgz: Buffer): Map<string, string> {
  const tar = zlib.gunzipSync(tgz);
  const out = new Map<string, string>();
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString("utf8").replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(tar.subarray(off + 124, off + 136).toString("utf8").replace(/\0.*$/s, "").trim(), 8);
    out.set(name, tar.subarray(off + 512, off + 512 + size).toString("utf8"));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe("before/after: arc.version 0.14.1 -> 0.14.2 in one deploy", () => {
  let before: { dir: string; stack: any };
  let after: { dir: string; stack: any };
  beforeAll(() => {
    before = synth({ arc: { version: "0.14.1" } });
    after = synth({ arc: { version: "0.14.2" } });
  });

  test("the CRDs are a release of their own, adopted from Helm's crds/ install, upgraded first", () => {
    for (const [s, v] of [
      [before.stack, "0.14.1"],
      [after.stack, "0.14.2"],
    ] as const) {
      const [crdId, crds] = byName(s, "arc-crds");
      expect(crds).toMatchObject({ version: v, take_ownership: true, wait: true });
      expect(crds.repository).toBeUndefined();
      expect(crds.chart).toMatch(new RegExp(`^assets/.+/gha-runner-scale-set-crds-${v.replace(/\./g, "\\.")}\\.tgz$`));
      const [ctrlId, ctrl] = byName(s, "arc");
      expect(ctrl).toMatchObject({ version: v, skip_crds: true, depends_on: [`helm_release.${crdId}`] });
      // Every scale set waits for the controller, which waits for the CRDs.
      const sets = Object.values(releases(s)).filter((r: any) => r.chart === "gha-runner-scale-set") as any[];
      expect(sets).toHaveLength(3);
      for (const set of sets) {
        expect(set.version).toBe(v);
        expect(set.depends_on).toContain(`helm_release.${ctrlId}`);
      }
    }
    // The chart file is copied into the stack's output, where Terraform (and verify) read it.
    const [, crds] = byName(after.stack, "arc-crds");
    const file = path.join(after.dir, "stacks", "dagger-runners-runners", crds.chart);
    expectEqual(fs.readFileSync(file), fs.readFileSync(path.join(ROOT, "lib", "arc-crds", crdChartFile("0.14.2"))));
  });

  test("every scale set carries the controller version, so the upgrade recreates each listener with the new image", () => {
    const annotations = (s: any) =>
      Object.values(releases(s))
        .filter((r: any) => r.chart === "gha-runner-scale-set")
        .map((r: any) => helmValues(r).resourceMeta.autoscalingRunnerSet.annotations);
    expect(annotations(before.stack)).toEqual(Array(3).fill({ [ARC_VERSION_ANNOTATION]: "0.14.1" }));
    expect(annotations(after.stack)).toEqual(Array(3).fill({ [ARC_VERSION_ANNOTATION]: "0.14.2" }));
  });

  test("a version without a shipped CRD chart is refused with one line naming the command", () => {
    expect(configError({ arc: { version: "0.15.0" } })).toBe(
      'arc.version: "0.15.0" has no CRD chart in this package (shipped: 0.13.1, 0.14.1, 0.14.2); add it with npm run arc-crds -- <unpacked gha-runner-scale-set-controller chart> (docs/runners.md#upgrading-arc)',
    );
  });

  (haveCharts ? describe : describe.skip)("rendered with the real charts", () => {
    const helm = (() => {
      try {
        return process.env.HELM ?? execFileSync(path.resolve(ROOT, "..", "shared", "tools", "install-helm.sh"), { encoding: "utf8" }).trim().split("\n").pop()!;
      } catch {
        return undefined;
      }
    })();
    const run = helm ? test : test.skip;

    run(
      "both render cleanly; the new CRDs are applied as templates; the listener-relevant values hash changes",
      async () => {
        const [b, a] = await Promise.all([before, after].map((s) => verify({ outdir: s.dir, chartsDir: CHARTS, helm: helm! })));
        expect(b.findings).toEqual([]);
        expect(a.findings).toEqual([]);
        const crds = a.releases.find((r) => r.release.name === "arc-crds")!;
        expect(crds.objects.map((o) => `${o.kind} ${(o.metadata as any).name}`).sort()).toEqual([
          "CustomResourceDefinition autoscalinglisteners.actions.github.com",
          "CustomResourceDefinition autoscalingrunnersets.actions.github.com",
          "CustomResourceDefinition ephemeralrunners.actions.github.com",
          "CustomResourceDefinition ephemeralrunnersets.actions.github.com",
        ]);
        // The controller chart renders no CRD (skip_crds: Helm would only install them once anyway).
        expect(a.releases.find((r) => r.release.name === "arc")!.objects.some((o) => o.kind === "CustomResourceDefinition")).toBe(false);
        const ars = (res: typeof a, name: string) =>
          res.releases.find((r) => r.release.name === name)!.objects.find((o) => o.kind === "AutoscalingRunnerSet")!.metadata as any;
        for (const name of ["dagger-v0-20-3", "dagger-v0-20", "dagger-latest"]) {
          expect(ars(a, name).annotations[ARC_VERSION_ANNOTATION]).toBe("0.14.2");
          // The controller deletes a listener whose values-hash differs and recreates it with its own image.
          expect(ars(a, name).annotations["actions.github.com/values-hash"]).not.toBe(ars(b, name).annotations["actions.github.com/values-hash"]);
        }
      },
      120_000,
    );
  });
});

(haveCharts ? describe : describe.skip)("the shipped CRD charts are the upstream CRDs (npm run arc-crds)", () => {
  const built = new Map<string, ReturnType<typeof buildCrdChart>>();
  const build = (v: string) => {
    if (!built.has(v)) built.set(v, buildCrdChart(path.join(CHARTS, `gha-runner-scale-set-controller-${v}`)));
    return built.get(v)!;
  };
  /** The CRD chart this package ships for ARC `v`. */
  const shippedChart = (v: string) => fs.readFileSync(path.join(ROOT, "lib", "arc-crds", crdChartFile(v)));
  /** The default version is packed by the real `npm run arc-crds` (the last test), not in-process again: 3 MB of CRDs. */
  const DEFAULT_VERSION = "0.14.2";

  test("one per supported version, byte for byte what the script packs from the upstream chart", () => {
    const shipped = fs.readdirSync(path.join(ROOT, "lib", "arc-crds")).sort();
    expect(shipped).toEqual(ARC_CRD_VERSIONS.map(crdChartFile).sort());
    expect(ARC_CRD_VERSIONS).toContain(DEFAULT_VERSION);
    for (const v of ARC_CRD_VERSIONS) {
      const upstream = path.join(CHARTS, `gha-runner-scale-set-controller-${v}`);
      if (v !== DEFAULT_VERSION) {
        const { version, tgz } = build(v);
        expect(version).toBe(v);
        expect(tgz.equals(shippedChart(v))).toBe(true);
        continue;
      }
      // Each CRD is the upstream one plus the keep annotation, and nothing else (the default version).
      const files = untar(shippedChart(v));
      for (const f of fs.readdirSync(path.join(upstream, "crds"))) {
        // Read with js-yaml (lib/verify/yaml-stream.ts), not the `yaml` package the script writes with.
        const ours = parseYamlStream(files.get(`gha-runner-scale-set-crds/templates/${f}`)!, f).filter(Boolean);
        const theirs = parseYamlStream(fs.readFileSync(path.join(upstream, "crds", f), "utf8"), f).filter(Boolean);
        expect(ours.map((c: any) => c.metadata.annotations["helm.sh/resource-policy"])).toEqual(theirs.map(() => "keep"));
        for (const c of ours as any[]) delete c.metadata.annotations["helm.sh/resource-policy"];
        expectEqual(ours, theirs);
      }
    }
  });

  test("0.14.1 and 0.14.2 have the same CRDs; 0.13.1 -> 0.14.x changes them (which the CRD release applies)", () => {
    // The shipped charts: each is byte for byte what the script packs (the tests around this one).
    const crdsOf = (v: string) => [...untar(shippedChart(v))].filter(([n]) => n.includes("/templates/"));
    expect(crdsOf("0.14.1")).toEqual(crdsOf("0.14.2"));
    expect(crdsOf("0.13.1")).not.toEqual(crdsOf("0.14.2"));
  });

  test("npm run arc-crds packs a chart directory into OUT_DIR and refuses anything else with one line", async () => {
    const out = tmp();
    const ok = await runScript("scripts/arc-crds.ts", [path.join(CHARTS, `gha-runner-scale-set-controller-${DEFAULT_VERSION}`), out]);
    expect(ok.code).toBe(0);
    expect(fs.readFileSync(path.join(out, crdChartFile(DEFAULT_VERSION))).equals(shippedChart(DEFAULT_VERSION))).toBe(true);
    const bad = await runScript("scripts/arc-crds.ts", [path.join(CHARTS, "gha-runner-scale-set-0.14.2"), out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*gha-runner-scale-set-0\.14\.2 is not an unpacked gha-runner-scale-set-controller chart \(Chart\.yaml name and version\)\n$/);
  }, 30_000);
});
