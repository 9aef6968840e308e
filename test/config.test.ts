import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, formatPath, loadConfig, parseConfig } from "../lib/config/load";
import { synthDeployment } from "../lib/app";
import { runScript } from "./util";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dr-config-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

describe("defaults", () => {
  test("no file: the built-in default", () => {
    const { config, plan, source } = loadConfig(undefined);
    expect(source).toBe("built-in default");
    expect(config.name).toBe("dagger-runners");
    expect(config.target).toBe("gke");
    expect(config.dagger.versions).toEqual(["0.20.3"]);
    expect(config.dagger.engine.mode).toBe("daemonset");
    expect(config.arc.version).toBe("0.14.2");
    expect(config.arc.labelStrategy).toBe("per-label");
    expect(plan.stacks).toEqual({ cluster: "dagger-runners-cluster", runners: "dagger-runners-runners" });
    expect(plan.runnerLabels["dagger-v0.20"]).toBe("0.20.3");
    expect(plan.warnings.join("\n")).toMatch(/gcp.projectId is the placeholder/);
  });

  test("a file holds only the keys it changes", () => {
    const f = write("partial.yaml", "dagger:\n  versions: [v0.19.10, 0.20.3]\narc:\n  labelStrategy: multi-label\n");
    const { config, plan } = loadConfig(f);
    expect(config.name).toBe("dagger-runners");
    expect(config.dagger.engine.mode).toBe("daemonset");
    expect(plan.runners.strategy).toBe("multi-label");
    expect(plan.runnerLabels).toMatchObject({ "dagger-v0.19": "0.19.10", "dagger-latest": "0.20.3" });
  });

  test("JSON files work too", () => {
    const f = write("c.json", JSON.stringify({ target: "existing-cluster", runners: { sizes: { "": {}, large: { requests: { cpu: 4 } } } } }));
    const { plan } = loadConfig(f);
    expect(plan.stacks.cluster).toBeUndefined();
    expect(plan.runnerLabels["dagger-latest-large"]).toBe("0.20.3");
  });

  test("risky engine choices reach the plan's warnings (and so the synth report)", () => {
    const { plan } = parseConfig({ dagger: { engine: { mode: "statefulset", cache: { storageClass: "standard" } } } });
    expect(plan.warnings).toContainEqual(expect.stringMatching(/^dagger\.engine\.cache\.storageClass: "standard" is a standard persistent disk \(HDD\)/));
    expect(parseConfig({}).plan.warnings.filter((w) => w.startsWith("dagger.engine"))).toEqual([]);
  });

  test("formatPath", () => {
    expect(formatPath(["dagger", "versions", 1])).toBe("dagger.versions[1]");
    expect(formatPath(["runners", "sizes", ""])).toBe('runners.sizes[""]');
    expect(formatPath([])).toBe("(top level)");
  });
});

// At least ten bad files, each with the exact line it must produce.
const bad: [string, string, string | RegExp][] = [
  ["version.yaml", 'dagger:\n  versions: ["0.20.3", "0.20"]\n', 'dagger.versions[1]: "0.20" is not a full version (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)'],
  ["dup.yaml", "dagger:\n  versions: [0.20.3, v0.20.3]\n", 'dagger.versions[1]: "v0.20.3" duplicates dagger.versions[0] (each version may appear once)'],
  ["empty-versions.yaml", "dagger:\n  versions: []\n", "dagger.versions: [] is empty (list at least one engine version, e.g. [\"0.20.3\"])"],
  ["version-number.yaml", "dagger:\n  versions: [0.20]\n", "dagger.versions[0]: 0.2 is a number (expected a string; put it in quotes)"],
  ["unknown-top.yaml", "nmae: x\n", /^nmae: unknown key \(allowed here: name, target, .*\); did you mean "name"\?$/],
  ["unknown-nested.yaml", "dagger:\n  engine:\n    mdoe: statefulset\n", /^dagger\.engine\.mdoe: unknown key \(allowed here: mode.*\); did you mean "mode"\?$/],
  ["target.yaml", "target: aws\n", 'target: "aws" is not allowed (expected one of: gke, existing-cluster)'],
  ["mode.yaml", "dagger:\n  engine:\n    mode: deployment\n", 'dagger.engine.mode: "deployment" is not allowed (expected one of: daemonset, statefulset)'],
  ["strategy.yaml", "arc:\n  labelStrategy: labels\n", 'arc.labelStrategy: "labels" is not allowed (expected one of: per-label, multi-label)'],
  ["negative.yaml", "runners:\n  minRunners: -1\n", "runners.minRunners: -1 is too small (expected >= 0)"],
  ["fraction.yaml", "runners:\n  maxRunners: 2.5\n", "runners.maxRunners: 2.5 is not a whole number"],
  ["name.yaml", "name: Dagger_Runners\n", 'name: "Dagger_Runners" is not a valid name (lowercase letters, digits and "-", starting and ending with a letter or digit)'],
  ["size-name.yaml", "runners:\n  sizes:\n    Large: {}\n", 'runners.sizes.Large: "Large" is not a valid size name (lowercase letters, digits and "-", or "" for no suffix)'],
  ["min-max.yaml", "runners:\n  minRunners: 5\n  maxRunners: 2\n", "runners.minRunners: 5 is greater than runners.maxRunners (2)"],
  ["top-list.yaml", "- name: x\n", '(top level): [{"name":"x"}] is a list (expected a map of keys such as name, dagger, runners)'],
  ["syntax.yaml", "dagger:\n  versions: [0.20.3\n", /^syntax\.yaml: is not valid YAML at line \d+, column \d+ \(.+\)$/],
  ["syntax.json", '{"name": "x",}', /^syntax\.json: is not valid JSON \(.+\)$/],
  ["dup-key.yaml", "name: a\nname: b\n", /^dup-key\.yaml: is not valid YAML at line 2, column 1 \(Map keys must be unique\)$/],
];

describe("bad config files", () => {
  test.each(bad)("%s", (file, text, expected) => {
    const f = write(file, text);
    let err: unknown;
    try {
      loadConfig(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg.split("\n")).toHaveLength(1);
    if (typeof expected === "string") expect(msg).toBe(expected);
    else expect(msg).toMatch(expected);
  });

  test("a missing file", () => {
    expect(() => loadConfig(path.join(tmp, "nope.yaml"))).toThrow(/^RUNNERS_CONFIG: ".*nope\.yaml" cannot be read \(no such file; expected a YAML or JSON config file\)$/);
  });

  test("an empty file is the default config", () => {
    expect(parseConfig(null).config.name).toBe("dagger-runners");
  });
});

describe("the app process", () => {
  const run = async (config: string) => {
    const out = fs.mkdtempSync(path.join(tmp, "out-"));
    const r = await runScript("main.ts", [], { RUNNERS_CONFIG: config, CDKTF_OUTDIR: out });
    return { ...r, written: fs.readdirSync(out) };
  };

  test("a bad file: exit 1, one line on stderr, no stack trace, nothing written", async () => {
    const r = await run(write("proc.yaml", 'dagger:\n  versions: ["0.20.3", "0.20"]\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: dagger.versions[1]: "0.20" is not a full version (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)\n');
    expect(r.stdout).toBe("");
    expect(r.written).toEqual([]);
  });

  test("the default config synthesizes both stacks", async () => {
    const r = await run("");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.written.sort()).toEqual(["deployment-plan.json", "deployment.mmd", "deployment.svg", "manifest.json", "stacks"]);
  });

  test("another config into the same output directory: stacks replaced one by one, an orphan left for the cdktf CLI", () => {
    // The cdktf CLI lists stacks/ before it runs the app and removes the stacks the new manifest
    // lacks afterwards, with rmSync and no `force` (@cdktf/cli-core synth-stack.js): had the app
    // removed `dagger-runners-cluster` itself, `npm run synth` would fail with ENOENT.
    const out = fs.mkdtempSync(path.join(tmp, "out-"));
    const gke = parseConfig({});
    synthDeployment(gke.config, gke.plan, out);
    const existing = parseConfig({ target: "existing-cluster" });
    synthDeployment(existing.config, existing.plan, out);
    expect(fs.readdirSync(path.join(out, "stacks")).sort()).toEqual(["dagger-runners-cluster", "dagger-runners-runners"]);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8")).stacks)).toEqual(["dagger-runners-runners"]);
    const runners = JSON.parse(fs.readFileSync(path.join(out, "stacks", "dagger-runners-runners", "cdk.tf.json"), "utf8"));
    expect(runners.provider.kubernetes[0]).toEqual({ config_path: "~/.kube/config" });
  });
});

describe("rules across sections", () => {
  test.each([
    [{ arc: { namespace: "ci" }, runners: { namespace: "ci" } }, 'arc.namespace: "ci" conflicts with runners.namespace (the controller, runners and engines namespaces must differ)'],
    [{ dagger: { engine: { namespace: "arc-systems" } } }, 'dagger.engine.namespace: "arc-systems" conflicts with arc.namespace (the controller, runners and engines namespaces must differ)'],
  ])("%j", (raw, msg) => {
    expect(() => parseConfig(raw)).toThrow(msg);
  });
});

describe("sections of the other target are refused (they would change nothing)", () => {
  test.each([
    [{ target: "existing-cluster", gcp: { projectId: "my-proj-123" } }, 'gcp: {"projectId":"my-proj-123"} applies to target "gke" only (target is "existing-cluster"); remove it'],
    [{ target: "existing-cluster", cluster: { regional: false } }, 'cluster: {"regional":false} applies to target "gke" only (target is "existing-cluster"); remove it'],
    [{ kubernetes: { context: "prod" } }, 'kubernetes: {"context":"prod"} applies to target "existing-cluster" only (target is "gke"); remove it'],
  ])("%j", (raw, msg) => {
    expect(() => parseConfig(raw)).toThrow(msg);
  });
  test("each target's own sections are fine", () => {
    expect(parseConfig({ target: "existing-cluster", kubernetes: { context: "prod" } }).plan.stacks.cluster).toBeUndefined();
    expect(parseConfig({ gcp: { projectId: "my-proj-123" } }).plan.stacks.cluster).toBe("dagger-runners-cluster");
  });
});
